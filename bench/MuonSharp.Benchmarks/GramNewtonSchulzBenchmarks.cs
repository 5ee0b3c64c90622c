using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Benchmarks;

/// <summary>
/// Where Gram Newton–Schulz in float32 pays: bfloat16 Newton–Schulz against the float32 Gram
/// factor plus its product with the matrix (what Muon adds into a parameter), on the Muon shapes of
/// the MNIST CNN (fc1 128×9216, conv2 64×288) and of the small GPTs (4:1 and square). Both read a
/// float32 matrix, as Muon hands them its momentum. The rule <c>Orthogonalize.PrefersGram</c> (more
/// than 4× wider than tall) comes from this table; matmul f32 [m, n]ᵀ-free floors are beside them.
/// </summary>
[ShortInProcessJob(iterationCount: 7)]
public class GramNewtonSchulzBenchmarks
{
    private Tensor _g = null!;                 // [rows, cols] float32
    private Tensor _factor = null!, _out = null!, _gram = null!;
    private NewtonSchulzWorkspace _workspace = new();
    private readonly Orthogonalize.Coefficients[] _schedule = Enumerable.Repeat(Orthogonalize.JordanQuintic, Flops.Steps).ToArray();

    /// <summary>Matrix size "rows×cols".</summary>
    [Params("128x9216", "64x288", "256x1024", "128x512", "256x256")]
    public string Size { get; set; } = "128x9216";

    /// <summary>A random input and the output buffers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var (rows, cols) = Flops.ParseSize(Size);
        _g = randn(new[] { rows, cols }, generator: new Generator(0));
        _factor = eye(rows) + randn(new[] { rows, rows }, generator: new Generator(1)) / rows;
        _out = empty(rows, cols);
        _gram = empty(rows, rows);
    }

    /// <summary>Releases the native tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { _g, _factor, _out, _gram }) t.Dispose();
        _workspace.Dispose();
        _workspace = new();
    }

    /// <summary>Muon's plain path: 5 quintic steps in bfloat16, float32 in and out (the library).</summary>
    [Benchmark, Flops(FlopModel.NewtonSchulz, "bf16")]
    public void NewtonSchulzBf16()
    {
        using var result = Orthogonalize.NewtonSchulz(_g);
    }

    /// <summary>Muon's Gram path: the float32 Gram factor, then F·G into a preallocated output (Muon writes it into the parameter).</summary>
    [Benchmark, Flops(FlopModel.GramNewtonSchulz, "f32")]
    public void GramNewtonSchulzF32()
    {
        var factor = Orthogonalize.GramFactor(_g, _schedule, Orthogonalize.DefaultEpsilon, 1.0, _workspace)!;
        _out.addmm_(factor, _g, beta: 0f, alpha: 1f);
    }

    /// <summary>The two m×m·n-sized float32 GEMMs of the Gram path alone: S = G·Gᵀ and F·G.</summary>
    [Benchmark, Flops(FlopModel.None, "f32")]
    public void GramProductsOnlyF32()
    {
        _gram.addmm_(_g, _g.mT, beta: 0f, alpha: 1f);
        _out.addmm_(_factor, _g, beta: 0f, alpha: 1f);
    }
}
