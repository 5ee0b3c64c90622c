using MuonSharp.Lab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Models;

/// <summary>
/// A bias-free linear layer, y = x·Wᵀ with W <c>[out, in]</c> named <c>weight</c> — <c>nn.Linear(in, out, hasBias: false)</c>
/// with the same initialization — whose product can run in bfloat16 (<see cref="Bfloat16Matmul"/>: the weight
/// stays float32, so the optimizer updates full-precision values). It is a module of its own so that forward hooks
/// (the spectral monitor's) still see its input, which calling <see cref="Bfloat16Matmul.Linear"/> on a
/// <see cref="Linear"/>'s weight would bypass.
/// </summary>
internal sealed class MatrixLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly bool _bfloat16;

    /// <summary>Creates the layer with <c>nn.Linear</c>'s initialization, U(−1/√in, 1/√in) (Kaiming uniform with a = √5).</summary>
    /// <param name="inputs">in.</param>
    /// <param name="outputs">out.</param>
    /// <param name="bfloat16">Run the product in bfloat16.</param>
    public MatrixLinear(int inputs, int outputs, bool bfloat16) : base(nameof(MatrixLinear))
    {
        weight = new Parameter(empty(outputs, inputs));   // [out, in]
        nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
        _bfloat16 = bfloat16;
        RegisterComponents();
    }

    /// <summary>W <c>[out, in]</c>.</summary>
    public Parameter Weight => weight;

    public override Tensor forward(Tensor x) => _bfloat16 ? Bfloat16Matmul.Linear(x, weight) : nn.functional.linear(x, weight);
}
