using static TorchSharp.torch;

namespace MuonSharp.Tests;

/// <summary>Comparisons of tensors that read as sentences in tests.</summary>
internal static class TensorAssert
{
    /// <summary>Same shape, dtype and bit-identical values.</summary>
    public static bool Identical(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape) || a.dtype != b.dtype) return false;
        using var scope = NewDisposeScope();
        return a.eq(b).all().item<bool>();
    }

    /// <summary>Largest absolute entrywise difference, computed in float64.</summary>
    public static double MaxAbsDifference(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max().item<double>();
    }
}
