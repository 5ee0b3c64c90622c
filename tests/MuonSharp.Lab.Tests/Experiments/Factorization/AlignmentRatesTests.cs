using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments.Factorization;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.Factorization;

public sealed class AlignmentRatesTests
{
    [Fact]
    public void Aligned_factors_score_one_on_every_alignment_and_a_rotated_target_basis_scores_less()
    {
        using var scope = NewDisposeScope();
        var s = new[] { 9.0, 4.0, 1.0 };
        using var generator = new Generator(2);
        var (r, _) = linalg.qr(randn(new long[] { 5, 3 }, ScalarType.Float64, generator: generator)); // shared inner factor
        var root = diag(tensor(s.Select(Math.Sqrt).ToArray(), ScalarType.Float64));
        var p = r.matmul(root);
        var q = r.matmul(root);

        var aligned = FactorizationMetrics.AlignmentScores(p, q, s, 0.08, 1e-6);
        var rotation = tensor(new[] { Math.Cos(0.7), -Math.Sin(0.7), 0, Math.Sin(0.7), Math.Cos(0.7), 0, 0, 0, 1.0 }, new long[] { 3, 3 }, ScalarType.Float64);
        var rotated = FactorizationMetrics.AlignmentScores(p.matmul(rotation), q.matmul(rotation), s, 0.08, 1e-6);

        Assert.Equal(1.0, aligned.Left, 10);
        Assert.Equal(1.0, aligned.Right, 10);
        Assert.Equal(1.0, aligned.Inner, 10);
        Assert.True(rotated.Left < 0.9 && rotated.Right < 0.9);
    }

    [Fact]
    public void A_power_law_decay_gives_its_exponent()
    {
        var steps = Enumerable.Range(0, 60).Select(i => (int)Math.Pow(1000, i / 59.0)).Distinct().Prepend(0).ToList();
        // 1 − a² = 0.5·t^(−1.5) at t ≥ 1.
        var score = steps.Select(t => Math.Sqrt(1 - 0.5 * Math.Pow(Math.Max(t, 1), -1.5))).ToList();

        Assert.Equal(1.5, AlignmentRates.DecayExponent(steps, score), 6);
        Assert.True(double.IsNaN(AlignmentRates.DecayExponent(new[] { 0, 1 }, new[] { 0.1, 0.5 })));
    }

    [Fact]
    public void The_predicted_outer_exponent_is_two_times_one_minus_the_inverse_mean_gap()
    {
        // Spike values 4 and 2 over s_(r+1) = 1: mean gap 3, exponent 2(1 − 1/3).
        Assert.Equal(4.0 / 3, AlignmentRates.PredictedOuterExponent(new[] { 4.0, 2.0, 1.0, 1.0 }, 2), 12);
    }

    [Fact]
    public void The_spiked_target_is_sorted_and_floored_at_two()
    {
        using var generator = new Generator(7);
        var s = AlignmentRates.SpikedSpectrum(32, 8, 4, generator);

        Assert.Equal(32, s.Length);
        Assert.All(s, v => Assert.True(v >= 2));
        Assert.True(s.Zip(s.Skip(1)).All(z => z.First >= z.Second));
        Assert.True(s[7] > s[8]);
    }

    [Fact]
    public void Claim_g_holds_within_tolerance_fails_outside_and_is_inconclusive_without_a_fit()
    {
        Assert.Equal(Verdict.Holds, AlignmentRates.Judge(new(), 1.2, new[] { 1.3, 1.1 }, new[] { 3.6, 4.4 }).Verdict);
        Assert.Equal(Verdict.Fails, AlignmentRates.Judge(new(), 1.2, new[] { 1.3, 1.1 }, new[] { 2.0, 4.4 }).Verdict);
        Assert.Equal(Verdict.Inconclusive, AlignmentRates.Judge(new(), 1.2, new[] { 1.3, double.NaN }, new[] { 3.6, 4.4 }).Verdict);
    }
}
