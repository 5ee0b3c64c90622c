using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers;

/// <summary>Small helpers the optimizer tests share: seeded tensors, hand-set gradients, plain arrays.</summary>
internal static class OptimizerTestKit
{
    /// <summary>A Gaussian tensor from a seeded generator.</summary>
    public static Tensor Gaussian(long[] shape, Generator generator, ScalarType dtype = ScalarType.Float64) =>
        randn(shape, dtype: dtype, generator: generator);

    /// <summary>A parameter with Gaussian values.</summary>
    public static Parameter GaussianParameter(long[] shape, Generator generator, ScalarType dtype = ScalarType.Float64) =>
        new(Gaussian(shape, generator, dtype));

    /// <summary>A parameter holding a copy of <paramref name="values"/>.</summary>
    public static Parameter ParameterFrom(Tensor values) => new(values.detach().clone());

    /// <summary>Sets the gradient of <paramref name="parameter"/> to a copy of <paramref name="grad"/>.</summary>
    public static void SetGrad(Parameter parameter, Tensor grad) =>
        parameter.grad = grad.detach().clone().to(parameter.dtype);

    /// <summary>The entries of <paramref name="tensor"/> (row-major) as doubles.</summary>
    public static double[] Values(Tensor tensor) =>
        tensor.detach().to(ScalarType.Float64).contiguous().data<double>().ToArray();

    /// <summary>Largest absolute entrywise difference.</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b) =>
        a.detach().to(ScalarType.Float64).sub(b.detach().to(ScalarType.Float64)).abs().max().ToDouble();

    /// <summary>Saves <paramref name="optimizer"/>'s state to bytes, as a checkpoint would.</summary>
    public static byte[] SaveState(OptimizerHelper optimizer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            optimizer.save_state_dict(writer);
        return stream.ToArray();
    }

    /// <summary>Loads bytes written by <see cref="SaveState"/> into <paramref name="optimizer"/>.</summary>
    public static void LoadState(OptimizerHelper optimizer, byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        using var reader = new BinaryReader(stream);
        optimizer.load_state_dict(reader);
    }
}
