using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Benchmarks;

/// <summary>
/// Newton–Schulz against its floor, the plain matmul, at the sizes of the issue. Every kernel reads a
/// float32 matrix (as Muon hands it a float32 momentum) and returns float32.
/// </summary>
[ShortInProcessJob]
public class NewtonSchulzBenchmarks
{
    private Tensor _g = null!;                       // [rows, cols] float32 input
    private Tensor _aBf16 = null!, _bBf16 = null!, _cBf16 = null!;
    private Tensor _aF32 = null!, _bF32 = null!, _cF32 = null!;

    /// <summary>Matrix size "rows×cols"; the matmul is [rows, rows]·[rows, cols].</summary>
    [Params("256x256", "1024x1024", "1024x4096", "4096x4096")]
    public string Size { get; set; } = "256x256";

    /// <summary>Random inputs; the matmul writes into a preallocated output.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var (rows, cols) = Flops.ParseSize(Size);
        var generator = new Generator(0);
        _g = randn(new[] { rows, cols }, generator: generator);
        _aF32 = randn(new[] { rows, rows }, generator: generator) / Math.Sqrt(rows);
        _bF32 = randn(new[] { rows, cols }, generator: generator);
        _cF32 = empty(rows, cols);
        _aBf16 = _aF32.to(ScalarType.BFloat16);
        _bBf16 = _bF32.to(ScalarType.BFloat16);
        _cBf16 = empty(rows, cols, ScalarType.BFloat16);
    }

    /// <summary>Releases the native tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { _g, _aBf16, _bBf16, _cBf16, _aF32, _bF32, _cF32 }) t.Dispose();
    }

    /// <summary>
    /// The floor: one bfloat16 GEMM C = A·B into a preallocated C (addmm_ with β = 0), so it measures
    /// the GEMM and not the allocation of C.
    /// </summary>
    [Benchmark, Flops(FlopModel.Matmul, "bf16")]
    public void MatmulBf16() => _cBf16.addmm_(_aBf16, _bBf16, beta: 0f, alpha: 1f);

    /// <summary>The floor in float32.</summary>
    [Benchmark, Flops(FlopModel.Matmul, "f32")]
    public void MatmulF32() => _cF32.addmm_(_aF32, _bF32, beta: 0f, alpha: 1f);

    /// <summary>Muon's default: 5 quintic steps in bfloat16 (the library).</summary>
    [Benchmark, Flops(FlopModel.NewtonSchulz, "bf16")]
    public void NewtonSchulzBf16()
    {
        using var result = Orthogonalize.NewtonSchulz(_g);
    }

    /// <summary>5 quintic steps in float32 (the library).</summary>
    [Benchmark, Flops(FlopModel.NewtonSchulz, "f32")]
    public void NewtonSchulzF32()
    {
        using var result = Orthogonalize.NewtonSchulz(_g, computeType: ScalarType.Float32);
    }

    /// <summary>
    /// For comparison, the straightforward composition the library used before fusing — matmuls plus
    /// separate elementwise scalings and sums, the normalization in a float32 copy — written out here.
    /// </summary>
    [Benchmark, Flops(FlopModel.NewtonSchulz, "bf16")]
    public void ComposedNewtonSchulzBf16()
    {
        using var scope = NewDisposeScope();
        var (a, b, c) = Orthogonalize.JordanQuintic;
        bool tall = _g.shape[0] > _g.shape[1];
        var wide = (tall ? _g.mT : _g).to(ScalarType.Float32);
        var x = (wide / (linalg.matrix_norm(wide) + Orthogonalize.DefaultEpsilon)).to(ScalarType.BFloat16);
        for (int step = 0; step < Flops.Steps; step++)
        {
            var gram = x.matmul(x.mT);
            var poly = gram * b + gram.matmul(gram) * c;
            x = x * a + poly.matmul(x);
        }
        (tall ? x.mT : x).to(ScalarType.Float32).contiguous();
    }
}
