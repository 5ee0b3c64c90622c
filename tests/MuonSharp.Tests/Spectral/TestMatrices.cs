using TorchSharp;
using static TorchSharp.torch;

// Namespace MuonSharp.Tests, not MuonSharp.Tests.Spectral: a namespace named Spectral would hide the
// class MuonSharp.Spectral from every test in it.
namespace MuonSharp.Tests;

/// <summary>Small matrices whose spectra are known in closed form.</summary>
internal static class TestMatrices
{
    public static Tensor Diagonal(params double[] values) => diag(tensor(values, dtype: ScalarType.Float64));

    public static Tensor Random(long rows, long cols, int seed) =>
        randn(new[] { rows, cols }, dtype: ScalarType.Float64, generator: new Generator((ulong)seed));

    /// <summary>A random <c>[rows, cols]</c> matrix with orthonormal columns (rows ≥ cols).</summary>
    public static Tensor OrthonormalColumns(long rows, long cols, int seed)
    {
        var (q, _) = linalg.qr(Random(rows, cols, seed));
        return q;
    }

    /// <summary>The 2×2 rotation by <paramref name="theta"/> radians.</summary>
    public static Tensor Rotation(double theta) => tensor(new[,]
    {
        { Math.Cos(theta), -Math.Sin(theta) },
        { Math.Sin(theta), Math.Cos(theta) },
    });
}

/// <summary>Assertions xunit 2 lacks.</summary>
internal static class AssertClose
{
    /// <summary>Same length and every element within <paramref name="tolerance"/>.</summary>
    public static void Elementwise(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"Element {i}: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tolerance}).");
    }
}
