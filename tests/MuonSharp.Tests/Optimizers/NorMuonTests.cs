using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static MuonSharp.Tests.Optimizers.OptimizerTestKit;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers;

/// <summary>NorMuon (Li et al. 2025, arXiv 2510.05491, Algorithm 1) as Muon's <c>normuon</c> option.</summary>
public sealed class NorMuonTests
{
    private static Tensor Random(long[] shape, int seed) =>
        randn(shape, dtype: ScalarType.Float64, generator: new Generator((ulong)seed));

    /// <summary>
    /// The row normalization written out entry by entry on plain arrays: v ← β2·v + (1−β2)·mean_j O²ᵢⱼ,
    /// Ô = O/(√v + ε) row by row, then Ô·‖O‖_F/(‖Ô‖_F + ε). Returns Ô; updates <paramref name="v"/>.
    /// </summary>
    private static double[,] ReferenceNormalization(double[,] o, double[] v, double beta2)
    {
        const double eps = 1e-10;   // the authors' reference code
        int m = o.GetLength(0), n = o.GetLength(1);
        var normalized = new double[m, n];
        double normO = 0, normNormalized = 0;
        for (int i = 0; i < m; i++)
        {
            double meanSquare = 0;
            for (int j = 0; j < n; j++) meanSquare += o[i, j] * o[i, j] / n;
            v[i] = beta2 * v[i] + (1 - beta2) * meanSquare;
            for (int j = 0; j < n; j++)
            {
                normalized[i, j] = o[i, j] / (Math.Sqrt(v[i]) + eps);
                normO += o[i, j] * o[i, j];
                normNormalized += normalized[i, j] * normalized[i, j];
            }
        }
        double ratio = Math.Sqrt(normO) / (Math.Sqrt(normNormalized) + eps);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) normalized[i, j] *= ratio;
        return normalized;
    }

    private static double[,] Matrix(Tensor t)
    {
        var values = Values(t);
        int m = (int)t.shape[0], n = (int)t.shape[1];
        var a = new double[m, n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) a[i, j] = values[i * n + j];
        return a;
    }

    [Theory]
    [InlineData(true, 0.0, new long[] { 5, 8 })]
    [InlineData(false, 0.1, new long[] { 12, 3 })]      // tall: s = √(12/3) = 2, one v entry per row of 12
    [InlineData(true, 0.0, new long[] { 4, 2, 3, 3 })]  // conv filter, read as [4, 18]
    public void Three_steps_equal_the_row_normalized_form_computed_in_float64(bool nesterov, double weightDecay, long[] shape)
    {
        // Given gradients g₁..g₃: buf and u as Muon's; O ← NS(u flattened); Ô ← the row normalization
        // above with β2; p ← p·(1 − lr·wd) − lr·s·Ô.
        const double lr = 0.05, beta = 0.9, beta2 = 0.8;
        using var parameter = new Parameter(Random(shape, seed: 1));
        using var optimizer = Optim.Muon(new[] { parameter }, lr: lr, momentum: beta, nesterov: nesterov,
            weight_decay: weightDecay, ns_dtype: ScalarType.Float64, normuon: true, normuon_beta2: beta2);
        long rows = shape[0];
        var v = new double[rows];
        Tensor Normalized(Tensor u) => tensor(ReferenceNormalization(Matrix(MuonTests.ReferenceNewtonSchulz(u)), v, beta2));

        var expected = MuonTests.ThreeReferenceSteps(parameter, optimizer, lr, beta, nesterov, weightDecay, Normalized);

        Assert.True(TensorAssert.MaxAbsDifference(parameter, expected) < 1e-12);
        Assert.Equal(v, Values(optimizer.StateOf(parameter).second_momentum_buffer!), new Comparison(1e-14));
        Assert.Equal(new[] { rows, 1L }, optimizer.StateOf(parameter).second_momentum_buffer!.shape);
    }

    [Theory]
    [InlineData(6, 10)]
    [InlineData(10, 4)]
    public void With_an_exact_polar_factor_the_update_is_the_papers_step(int m, int n)
    {
        // Li et al. (2025), Algorithm 1, one step from v = 0: Ô = O/(√v + ε) and the step η̂·Ô with
        // η̂ = 0.2·η·√(mn)/‖Ô‖_F. With O the exact polar factor of a full-rank matrix, ‖O‖_F = √min(m, n),
        // so the library's norm-keeping form times Muon's MatchRmsAdamW scale 0.2·√max(m, n) is that step.
        const double beta2 = 0.95;
        using var polar = Orthogonalize.Polar(Random(new long[] { m, n }, seed: 4));
        using var v = zeros(m, 1, dtype: ScalarType.Float64);
        var o = Matrix(polar);

        using var ours = NorMuonNormalization.Apply(polar, v, beta2).mul(Muon.ShapeScale(m, n, Optim.AdjustLr.MatchRmsAdamW));

        var paper = new double[m, n];
        double normSquared = 0;
        for (int i = 0; i < m; i++)
        {
            double vi = 0;
            for (int j = 0; j < n; j++) vi += (1 - beta2) * o[i, j] * o[i, j] / n;
            for (int j = 0; j < n; j++)
            {
                paper[i, j] = o[i, j] / (Math.Sqrt(vi) + 1e-10);
                normSquared += paper[i, j] * paper[i, j];
            }
        }
        double stepScale = 0.2 * Math.Sqrt(m * n) / Math.Sqrt(normSquared);
        using var expected = tensor(paper).mul(stepScale);
        // 1e-10: two float64 evaluations of the same quotients of O(1) entries (measured: 1.3e-12; first set at 1e-12).
        double difference = TensorAssert.MaxAbsDifference(ours, expected);
        Assert.True(difference < 1e-10, $"differs by {difference}");
        // The paper's update has RMS 0.2 per entry (its η̂ matches AdamW's typical update RMS).
        Assert.Equal(0.2, expected.square().mean().sqrt().ToDouble(), 12);
    }

    [Fact]
    public void With_beta2_zero_every_row_of_the_update_has_the_same_RMS_and_the_norm_is_kept()
    {
        // Known answer: with β2 = 0, v is the current row mean square, so every normalized row has RMS 1
        // before the rescale, and ‖O‖_F/√(mn) after it, whatever the rows' norms were — up to ε = 1e-10
        // added to √v, a relative 1e-10/√vᵢ (√vᵢ ≥ 0.05 here), hence 7 decimals on values near 3.6.
        using var o = Random(new long[] { 5, 7 }, seed: 8) * tensor(new double[] { 1, 10, 0.1, 3, 0.5 }).unsqueeze(1);
        using var v = zeros(5, 1, dtype: ScalarType.Float64);

        using var normalized = NorMuonNormalization.Apply(o, v, beta2: 0);

        var rowRms = Values(normalized.square().mean(new long[] { 1 }).sqrt());
        double expectedRms = o.norm().ToDouble() / Math.Sqrt(35);
        Assert.All(rowRms, r => Assert.Equal(expectedRms, r, 7));
        Assert.Equal(o.norm().ToDouble(), normalized.norm().ToDouble(), 8);   // ε in ‖Ô‖_F + ε: relative 1e-10/‖Ô‖_F
        // And the input's rows were not equal to begin with, so the check above can fail.
        var inputRms = Values(o.square().mean(new long[] { 1 }).sqrt());
        Assert.True(inputRms.Max() / inputRms.Min() > 10);
    }

    [Fact]
    public void The_second_moment_exists_only_with_normuon_and_the_gram_path_is_not_taken()
    {
        // [4, 40] is ten times wider than tall: plain Muon takes the Gram path there, NorMuon must not
        // (its normalization needs O before it is applied), so its result equals the plain float32 path.
        using var plainParameter = new Parameter(Random(new long[] { 4, 40 }, seed: 5).to(ScalarType.Float32));
        using var normParameter = new Parameter(plainParameter.detach().clone());
        using var plain = Optim.Muon(new[] { plainParameter });
        using var norMuon = Optim.Muon(new[] { normParameter }, normuon: true);
        plainParameter.grad = Random(new long[] { 4, 40 }, seed: 6).to(ScalarType.Float32);
        normParameter.grad = plainParameter.grad.clone();

        plain.step();
        norMuon.step();

        Assert.Null(plain.StateOf(plainParameter).second_momentum_buffer);
        Assert.NotNull(norMuon.StateOf(normParameter).second_momentum_buffer);
        Assert.False(TensorAssert.Identical(plainParameter, normParameter));
    }

    private sealed class Comparison(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
