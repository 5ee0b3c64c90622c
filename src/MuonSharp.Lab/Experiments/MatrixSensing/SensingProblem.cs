using MuonSharp.Lab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.MatrixSensing;

/// <summary>
/// One underdetermined matrix-sensing instance of <c>002</c> §4: recover an m×n target W* from
/// p &lt; m·n linear measurements b_i = ⟨A_i, W*⟩ (+ noise). The measurement formulas were lost in the
/// extraction of <c>002</c>; they are derived from its words and the README's "Matrix sensing" facts:
/// <code>
/// A_i  entrywise N(0, 1)                            (README: "iid standard Gaussian")
/// b_i  = ⟨A_i, W*⟩ + noise_std·ε_i,  ε_i ~ N(0, 1)
/// L(W) = (1/2p) Σ_i (⟨A_i, W⟩ − b_i)²              (README)
/// ∇L   = (1/p) Σ_i (⟨A_i, W⟩ − b_i) A_i = (1/p) 𝒜*(𝒜(W) − b)
/// </code>
/// One normalization only: E[(1/p) 𝒜*𝒜] is the identity, so ∇L ≈ W − W* (exactly W − W* in expectation
/// over 𝒜 when noise_std = 0) and a coupled decay λ enters as λ against a gradient of order one. Scaling A_i
/// by 1/√p as well would make ∇L ≈ (W − W*)/p: GD would barely move and a coupled λ would act like p·λ.
/// The polar step and norm-matched GD do not see a uniform rescaling of the gradient. All tensors are float64.
/// </summary>
public sealed class SensingProblem : IDisposable
{
    private SensingProblem(Tensor target, Tensor measurementMatrix, Tensor measurements, Tensor init)
    {
        Target = target;
        MeasurementMatrix = measurementMatrix;
        Measurements = measurements;
        Init = init;
    }

    /// <summary>W*, <c>[m, n]</c>.</summary>
    public Tensor Target { get; }

    /// <summary>The operator 𝒜 as a matrix whose row i is vec(A_i) (row-major), <c>[p, m·n]</c>.</summary>
    public Tensor MeasurementMatrix { get; }

    /// <summary>b, <c>[p]</c>.</summary>
    public Tensor Measurements { get; }

    /// <summary>The shared initial point W₀ = init_scale·N(0, 1), <c>[m, n]</c>.</summary>
    public Tensor Init { get; }

    /// <summary>Rows m.</summary>
    public long Rows => Target.shape[0];

    /// <summary>Columns n.</summary>
    public long Cols => Target.shape[1];

    /// <summary>Number of measurements p.</summary>
    public long Count => Measurements.shape[0];

    /// <summary>
    /// The instance of a seed for the spectral and nuclear-norm parts: W* = U·diag(σ)·Vᵀ with U, V
    /// the Q factors of Gaussian m×r and n×r matrices (uniformly random orthonormal frames) and σ
    /// spaced linearly from κ down to 1 (README). U and V come from the seed's stream <c>low-rank/target</c>,
    /// the measurements, noise and init from <c>low-rank/…</c> streams of their own (see <see cref="Sense"/>).
    /// </summary>
    /// <param name="config">Sizes, κ, noise, init scale.</param>
    /// <param name="seed">The seed.</param>
    public static SensingProblem LowRank(MatrixSensingConfig config, int seed)
    {
        using var generator = SeedStreams.Generator(seed, "low-rank/target");
        using var scope = NewDisposeScope();
        var (u, _) = linalg.qr(randn(config.Rows, config.Rank, dtype: ScalarType.Float64, generator: generator)); // [m, r]
        var (v, _) = linalg.qr(randn(config.Cols, config.Rank, dtype: ScalarType.Float64, generator: generator)); // [n, r]
        var sigma = tensor(LinearlySpaced(config.Kappa, 1, config.Rank), dtype: ScalarType.Float64);           // [r]
        var target = (u * sigma).matmul(v.t());                                                                // [m, n]
        return Sense(target, config, seed, "low-rank").MoveToOuter(scope);
    }

    /// <summary>
    /// The instance of a seed for the ATSR part. Its target must put singular-value mass in each of
    /// the K diagonal blocks so every block has something to acquire; 002's extracted text does not
    /// say how its ATSR target is built, so this is our choice: W* is block diagonal, block k a rank-one
    /// σ_k·u_k v_kᵀ with u_k, v_k uniformly random unit vectors of the block's size and σ_k spaced
    /// linearly from κ down to 1. W* then has rank K with singular values σ_k (κ..1, as in the README),
    /// each living in its own block, and p = 200 measurements exceed its K(m + n − K) degrees of
    /// freedom. u₁, v₁, …, u_K, v_K come from the seed's stream <c>block-diagonal/target</c>, the
    /// measurements, noise and init from <c>block-diagonal/…</c> streams of their own.
    /// </summary>
    /// <param name="config">Sizes, κ, K, noise, init scale.</param>
    /// <param name="seed">The seed.</param>
    public static SensingProblem BlockDiagonal(MatrixSensingConfig config, int seed)
    {
        using var generator = SeedStreams.Generator(seed, "block-diagonal/target");
        using var scope = NewDisposeScope();
        int k = config.AtsrBlocks;
        long rowsPerBlock = config.Rows / k, colsPerBlock = config.Cols / k;
        var sigma = LinearlySpaced(config.Kappa, 1, k);
        var target = zeros(config.Rows, config.Cols, dtype: ScalarType.Float64);
        using var held = new HeldScalars();
        for (int block = 0; block < k; block++)
        {
            var u = randn(rowsPerBlock, dtype: ScalarType.Float64, generator: generator);
            var v = randn(colsPerBlock, dtype: ScalarType.Float64, generator: generator);
            u = u / u.norm();
            v = v / v.norm();
            target[TensorIndex.Slice(block * rowsPerBlock, (block + 1) * rowsPerBlock), TensorIndex.Slice(block * colsPerBlock, (block + 1) * colsPerBlock)]
                = outer(u, v).mul(held[sigma[block]]);
        }
        return Sense(target, config, seed, "block-diagonal").MoveToOuter(scope);
    }

    /// <summary>A problem with a given operator and measurements (tests; W₀ = 0).</summary>
    /// <param name="target">W* (copied).</param>
    /// <param name="measurementMatrix">Rows vec(A_i), <c>[p, m·n]</c> (copied).</param>
    /// <param name="measurements">b (copied).</param>
    public static SensingProblem FromOperator(Tensor target, Tensor measurementMatrix, Tensor measurements)
    {
        using var scope = NewDisposeScope();
        var t = target.to(ScalarType.Float64).clone();
        return new SensingProblem(t, measurementMatrix.to(ScalarType.Float64).clone(), measurements.to(ScalarType.Float64).clone(), zeros_like(t))
            .MoveToOuter(scope);
    }

    /// <summary>𝒜(W) = (⟨A_i, W⟩)_i, <c>[p]</c>.</summary>
    /// <param name="w">A matrix <c>[m, n]</c>.</param>
    public Tensor Measure(Tensor w) => MeasurementMatrix.mv(w.reshape(-1));

    /// <summary>The adjoint 𝒜*(y) = Σ_i y_i A_i, <c>[m, n]</c>.</summary>
    /// <param name="y">A vector <c>[p]</c>.</param>
    public Tensor Adjoint(Tensor y) => MeasurementMatrix.t().mv(y).reshape(Rows, Cols);

    /// <summary>The loss (1/2p)‖𝒜(W) − b‖² as a differentiable scalar tensor.</summary>
    /// <param name="w">A matrix <c>[m, n]</c> (may require grad).</param>
    public Tensor Loss(Tensor w)
    {
        using var s = new HeldScalars();
        return (Measure(w) - Measurements).pow(s[2]).sum().div(s[2.0 * Count]);
    }

    /// <summary>‖𝒜(W) − b‖ / ‖b‖: 0 means W interpolates the measurements.</summary>
    /// <param name="w">A matrix <c>[m, n]</c>.</param>
    public double RelativeResidual(Tensor w)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return ((Measure(w) - Measurements).norm() / Measurements.norm()).item<double>();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Target.Dispose();
        MeasurementMatrix.Dispose();
        Measurements.Dispose();
        Init.Dispose();
    }

    /// <summary>Draws 𝒜, the noise and W₀, each from the seed's stream <c>{part}/measurements</c>, <c>{part}/noise</c>, <c>{part}/init</c>, and measures <paramref name="target"/>.</summary>
    private static SensingProblem Sense(Tensor target, MatrixSensingConfig config, int seed, string part)
    {
        int p = config.Measurements;
        using var measurements = SeedStreams.Generator(seed, part + "/measurements");
        using var noiseGenerator = SeedStreams.Generator(seed, part + "/noise");
        using var initGenerator = SeedStreams.Generator(seed, part + "/init");
        var a = randn(p, config.Rows * (long)config.Cols, dtype: ScalarType.Float64, generator: measurements);                  // [p, m·n], no 1/√p: see the class summary
        using var s = new HeldScalars();
        var noise = randn(p, dtype: ScalarType.Float64, generator: noiseGenerator).mul(s[config.NoiseStd]);                   // [p]
        var init = randn(config.Rows, config.Cols, dtype: ScalarType.Float64, generator: initGenerator).mul(s[config.InitScale]); // [m, n]
        var b = a.mv(target.reshape(-1)).add(noise, s[1]);                                                                      // 𝒜(W*) + noise
        return new SensingProblem(target, a, b, init);
    }

    private SensingProblem MoveToOuter(DisposeScope scope)
    {
        foreach (var t in new[] { Target, MeasurementMatrix, Measurements, Init }) scope.MoveToOuter(t);
        return this;
    }

    /// <summary><paramref name="count"/> values from <paramref name="first"/> to <paramref name="last"/> (just <paramref name="first"/> when count is 1).</summary>
    internal static double[] LinearlySpaced(double first, double last, int count) =>
        Enumerable.Range(0, count).Select(i => count == 1 ? first : first + (last - first) * i / (count - 1)).ToArray();
}
