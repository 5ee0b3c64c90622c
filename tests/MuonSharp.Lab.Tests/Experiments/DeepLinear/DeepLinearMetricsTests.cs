using MuonSharp.Lab.Experiments.DeepLinear;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.DeepLinear;

/// <summary>The measurements behind the deep-linear claims, on cases with known answers.</summary>
public sealed class DeepLinearMetricsTests
{
    [Fact]
    public void Projected_singular_values_of_a_known_product_are_its_singular_values()
    {
        // Given W = U diag(3, 2, 1) Vᵀ + a part orthogonal to every (uᵢ, vᵢ) pair,
        using var generator = new Generator(7);
        var (u, _) = linalg.qr(randn(new long[] { 6, 6 }, dtype: ScalarType.Float64, generator: generator));
        var (v, _) = linalg.qr(randn(new long[] { 5, 5 }, dtype: ScalarType.Float64, generator: generator));
        var s = tensor(new[] { 3.0, 2.0, 1.0 }, dtype: ScalarType.Float64);
        var left = u.narrow(1, 0, 3);
        var right = v.narrow(1, 0, 3);
        var product = (left * s.unsqueeze(0)).matmul(right.mT)
                      + 5.0 * u.narrow(1, 3, 1).matmul(v.narrow(1, 3, 1).mT)            // another mode
                      + 7.0 * u.narrow(1, 0, 1).matmul(v.narrow(1, 1, 1).mT);           // cross term u₁v₂ᵀ

        // when σᵢ = uᵢᵀWvᵢ is taken over the first three pairs,
        var sigma = DeepLinearMetrics.ProjectedSingularValues(product, left, right);

        // then it returns exactly (3, 2, 1): the other mode and the cross term are invisible.
        Assert.Equal(3, sigma.Length);
        Assert.Equal(3.0, sigma[0], 12);
        Assert.Equal(2.0, sigma[1], 12);
        Assert.Equal(1.0, sigma[2], 12);
    }

    [Fact]
    public void Half_time_is_the_first_step_a_sigmoid_reaches_half_its_target()
    {
        // Given sigmoids σᵢ(t) = sᵢ / (1 + e^{−(t − cᵢ)/3}) centred at steps 40, 90, 150,
        double[] targets = { 4, 2, 1 };
        int[] centres = { 40, 90, 150 };
        var sigma = targets.Select((s, i) => Enumerable.Range(0, 200)
            .Select(t => s / (1 + Math.Exp(-(t - centres[i]) / 3.0))).ToArray()).ToArray();

        var half = DeepLinearMetrics.HalfTimes(sigma, targets);

        // then the half-times are the centres (σ = s/2 exactly there).
        Assert.Equal(new double[] { 40, 90, 150 }, half);
    }

    [Fact]
    public void A_mode_that_never_reaches_half_its_target_has_no_half_time()
    {
        var sigma = new[] { new[] { 0.0, 0.1, 0.2, 0.49 } };
        Assert.True(double.IsNaN(DeepLinearMetrics.HalfTimes(sigma, new[] { 1.0 })[0]));
    }

    [Fact]
    public void Spread_ratio_is_one_for_equal_modes_and_undefined_for_a_non_positive_one()
    {
        var equal = new[] { new[] { 0.0, 0.5 }, new[] { 0.0, 0.5 } };
        var unequal = new[] { new[] { 0.0, 0.5 }, new[] { 0.0, 2.0 } };
        Assert.Equal(1.0, DeepLinearMetrics.SpreadRatio(equal, 1));
        Assert.Equal(4.0, DeepLinearMetrics.SpreadRatio(unequal, 1));
        Assert.True(double.IsNaN(DeepLinearMetrics.SpreadRatio(equal, 0)));
    }

    [Fact]
    public void A_staircase_loss_has_one_plateau_between_each_pair_of_drops()
    {
        // Given E(t) = 1000 · 10^(−Σⱼ sigmoid((t − cⱼ)/3)): a flat start, then four one-decade drops at
        // steps 100, 300, 500, 700 separated by flat stretches; the end level 0.5 is reached in the last drop,
        var centres = new[] { 100, 300, 500, 700 };
        var excess = Enumerable.Range(0, 900)
            .Select(t => 1000 * Math.Pow(10, -centres.Sum(c => 1 / (1 + Math.Exp(-(t - c) / 3.0))))).ToArray();

        var plateaus = DeepLinearMetrics.Plateaus(excess, endLevel: 0.5);

        // then the three stretches between drops are plateaus (the flat start, the saddle at the origin,
        // is not counted), and they take most of the descent after the first drop (the rest is the drops
        // themselves, each ≈ ±10 steps wide, blurred by the ±1%-of-T slope window: ≈ 0.77).
        Assert.Equal(3, plateaus.Count);
        Assert.InRange(plateaus.Fraction, 0.7, 0.9);
        Assert.InRange(plateaus.EndStep, 690, 710);   // the last drop passes 0.5 at ≈ step 698
    }

    [Theory]
    [InlineData("exponential")]
    [InlineData("parabola")]
    public void A_smooth_descent_has_no_plateau(string shape)
    {
        // Given an exponential decay, or Spectral GD's flow curve ½Σᵢ(sᵢ − t²)² with saturation at √sᵢ,
        double[] s = { 8, 4, 2, 1, 0.5 };
        var excess = Enumerable.Range(0, 400).Select(t => shape == "exponential"
            ? 100 * Math.Exp(-t / 30.0)
            : 0.5 * s.Sum(si => Math.Pow(Math.Max(0, si - Math.Pow(t / 100.0, 2)), 2)) + 1e-6).ToArray();

        var plateaus = DeepLinearMetrics.Plateaus(excess, endLevel: 0.5 * 0.25 * 0.25);

        Assert.Equal(0, plateaus.Count);
        Assert.Equal(0, plateaus.Fraction);
    }

    [Fact]
    public void Plateaus_are_undecided_when_the_curve_never_reaches_the_end_level()
    {
        var excess = Enumerable.Range(0, 100).Select(t => 10.0 - 0.01 * t).ToArray();
        var plateaus = DeepLinearMetrics.Plateaus(excess, endLevel: 1);
        Assert.True(double.IsNaN(plateaus.Count));
        Assert.Equal(-1, plateaus.EndStep);
    }

    [Fact]
    public void Sign_reversals_are_zero_for_a_monotone_series_and_one_for_a_zigzag()
    {
        Assert.Equal(0, DeepLinearMetrics.SignReversalFraction(new[] { 5.0, 4, 3, 2.5, 2.4 }));
        Assert.Equal(1, DeepLinearMetrics.SignReversalFraction(new[] { 1.0, 2, 1, 2, 1, 2 }));
    }

    [Fact]
    public void The_tail_is_the_last_fraction_of_a_series()
    {
        var series = Enumerable.Range(0, 10).Select(i => (double)i).ToArray();
        Assert.Equal(new double[] { 8, 9 }, DeepLinearMetrics.Tail(series, 0.2));
        Assert.Equal(new double[] { 8, 9 }, DeepLinearMetrics.Tail(series, 0.01));   // at least two points
    }

    [Fact]
    public void The_end_level_is_half_the_square_of_half_the_smallest_target()
    {
        Assert.Equal(0.5 * 0.25 * 0.25, DeepLinearMetrics.EndLevel(new[] { 8.0, 1.0, 0.5 }));
    }
}
