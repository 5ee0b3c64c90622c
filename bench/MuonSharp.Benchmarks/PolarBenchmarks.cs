using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Benchmarks;

/// <summary>
/// The exact polar factor by SVD (<see cref="Orthogonalize.Polar"/>, float64 by default), the
/// reference Newton–Schulz approximates. 4096×4096 has its own class: see <see cref="PolarLargeBenchmarks"/>.
/// </summary>
[ShortInProcessJob]
public class PolarBenchmarks
{
    private Tensor _g = null!;

    /// <summary>Matrix size "rows×cols".</summary>
    [Params("256x256", "1024x1024", "1024x4096")]
    public string Size { get; set; } = "256x256";

    /// <summary>A random float32 input.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var (rows, cols) = Flops.ParseSize(Size);
        _g = randn(new[] { rows, cols }, generator: new Generator(0));
    }

    /// <summary>Releases the input.</summary>
    [GlobalCleanup]
    public void Cleanup() => _g.Dispose();

    /// <summary>Polar with its default float64 SVD.</summary>
    [Benchmark, Flops(FlopModel.PolarSvd, "f64")]
    public void PolarF64()
    {
        using var result = Orthogonalize.Polar(_g);
    }

    /// <summary>Polar with a float32 SVD.</summary>
    [Benchmark, Flops(FlopModel.PolarSvd, "f32")]
    public void PolarF32()
    {
        using var result = Orthogonalize.Polar(_g, computeType: ScalarType.Float32);
    }
}

/// <summary>
/// Polar at 4096×4096, where one SVD takes many seconds: a single measured call (after one
/// warm-up call) instead of the short job's statistics, to keep the whole run near ten minutes.
/// </summary>
[SingleCallJob]
public class PolarLargeBenchmarks
{
    private Tensor _g = null!;

    /// <summary>Matrix size "rows×cols".</summary>
    [Params("4096x4096")]
    public string Size { get; set; } = "4096x4096";

    /// <summary>A random float32 input.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var (rows, cols) = Flops.ParseSize(Size);
        _g = randn(new[] { rows, cols }, generator: new Generator(0));
    }

    /// <summary>Releases the input.</summary>
    [GlobalCleanup]
    public void Cleanup() => _g.Dispose();

    /// <summary>Polar with a float32 SVD (float64 took about 1.5× as long at the smaller sizes).</summary>
    [Benchmark, Flops(FlopModel.PolarSvd, "f32")]
    public void PolarF32()
    {
        using var result = Orthogonalize.Polar(_g, computeType: ScalarType.Float32);
    }
}
