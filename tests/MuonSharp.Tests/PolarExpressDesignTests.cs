using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Tests;

/// <summary>Polar Express computed for any ℓ, step count and safety factor (Amsel et al. 2025, Algorithm 1).</summary>
public sealed class PolarExpressDesignTests
{
    [Fact]
    public void Five_steps_for_l_1e_3_reproduce_the_published_table()
    {
        // The published coefficients are printed with 15–17 significant digits; the Remez exchange stops when
        // E changes by ≤ 1e-15, so we hold the computed ones to 1e-12 relative (threshold set before running).
        var design = Orthogonalize.DesignPolarExpress(steps: 5, lowerBound: 1e-3);

        for (int t = 0; t < 5; t++)
        {
            var (published, computed) = (Orthogonalize.PolarExpressRaw[t], design.Optimal[t]);
            foreach (var (p, c) in new[] { (published.A, computed.A), (published.B, computed.B), (published.C, computed.C) })
                Assert.True(Math.Abs(p - c) <= 1e-12 * Math.Abs(p), $"step {t}: published {p}, computed {c}");
        }
    }

    [Fact]
    public void The_safety_factor_divides_every_polynomial_but_the_last_as_the_fixed_schedule_does()
    {
        var design = Orthogonalize.DesignPolarExpress(steps: 5);
        var fixedSchedule = Orthogonalize.PolarExpressSchedule(5);

        for (int t = 0; t < 4; t++) Assert.Equal(design.Optimal[t].A / 1.01, design.Schedule[t].A, 12);
        Assert.Equal(design.Optimal[4], design.Schedule[4]);
        for (int t = 0; t < 4; t++) Assert.Equal(fixedSchedule[t].C, design.Schedule[t].C, 9);
    }

    /// <summary>
    /// A float64 run: X = U·diag(σ)·Vᵀ with the given singular values and random orthogonal U, V, then
    /// X ← aX + b(XXᵀ)X + c(XXᵀ)²X per polynomial; returns max |σ − 1| of the result.
    /// </summary>
    private static double MeasuredWorstDistanceFromOne(double[] sigma, IReadOnlyList<Orthogonalize.Coefficients> schedule)
    {
        using var scope = NewDisposeScope();
        int n = sigma.Length;
        var generator = new Generator(17);
        var u = linalg.qr(randn(new long[] { n, n }, dtype: ScalarType.Float64, generator: generator)).Q;
        var v = linalg.qr(randn(new long[] { n, n }, dtype: ScalarType.Float64, generator: generator)).Q;
        var x = u.matmul(diag(tensor(sigma))).matmul(v.T);
        foreach (var (a, b, c) in schedule)
        {
            var gram = x.matmul(x.T);
            x = a * x + (b * gram + c * gram.matmul(gram)).matmul(x);
        }
        return linalg.svdvals(x).sub(1.0).abs().max().ToDouble();
    }

    /// <summary><paramref name="count"/> singular values spaced geometrically from ℓ to 1, both included.</summary>
    private static double[] Spread(double lowerBound, int count) =>
        Enumerable.Range(0, count).Select(i => Math.Pow(lowerBound, 1 - (double)i / (count - 1))).ToArray();

    [Theory]
    [InlineData(5, 1e-3)]
    [InlineData(3, 1e-2)]
    [InlineData(8, 1e-4)]
    public void Without_safety_the_certified_worst_distance_is_what_a_float64_run_measures(int steps, double lowerBound)
    {
        // Without the safety factor every step maps [ℓₜ, 2 − ℓₜ] onto [ℓₜ₊₁, 2 − ℓₜ₊₁] and ℓ itself lands on
        // ℓ_T, so a matrix whose singular values include ℓ attains the bound. Equal up to the matrix run's
        // rounding: each product errs by about n·ε·‖X‖ ≈ 200·1.1e-16, and the composition's slope at ℓ
        // (ℓ_T/ℓ ≈ 900 for ℓ = 1e-3) amplifies it, so about 2e-11; we allow 1e-10. (First set at 1e-12,
        // before this estimate; measured 4e-12 at 5 steps, ℓ = 1e-3.)
        var design = Orthogonalize.DesignPolarExpress(steps, lowerBound, safety: 1);

        double measured = MeasuredWorstDistanceFromOne(Spread(lowerBound, 200), design.Schedule);

        Assert.True(Math.Abs(measured - design.CertifiedWorstDistanceFromOne) <= 1e-10,
            $"certified {design.CertifiedWorstDistanceFromOne}, measured {measured}");
    }

    [Fact]
    public void With_the_safety_factor_no_singular_value_leaves_the_certified_band_and_the_band_is_reached()
    {
        // The band is the exact image of [ℓ, 1]; 400 singular values spaced geometrically come within 1e-3 of its edge.
        var design = Orthogonalize.DesignPolarExpress(steps: 5);

        double measured = MeasuredWorstDistanceFromOne(Spread(1e-3, 400), design.Schedule);

        Assert.True(measured <= design.CertifiedWorstDistanceFromOne + 1e-10, $"certified {design.CertifiedWorstDistanceFromOne}, measured {measured}");
        Assert.True(measured >= design.CertifiedWorstDistanceFromOne - 1e-3, $"certified {design.CertifiedWorstDistanceFromOne}, measured {measured}");
    }

    [Fact]
    public void A_singular_value_below_l_is_not_covered_by_the_certificate()
    {
        // The certificate is for [ℓ, 1] only: a singular value ten times smaller ends farther from 1 — the
        // comparison above can fail.
        var design = Orthogonalize.DesignPolarExpress(steps: 5, lowerBound: 1e-3, safety: 1);

        double measured = MeasuredWorstDistanceFromOne(new[] { 1e-4, 0.5, 1 }, design.Schedule);

        Assert.True(measured > design.CertifiedWorstDistanceFromOne, $"certified {design.CertifiedWorstDistanceFromOne}, measured {measured}");
    }

    [Fact]
    public void The_minimax_quintic_equioscillates_and_nothing_on_the_interval_exceeds_its_error()
    {
        const double l = 0.1, u = 1;
        var p = Orthogonalize.OptimalOddQuintic(l, u);
        double Error(double x) => 1 - x * (p.A + x * x * (p.B + x * x * p.C));
        var grid = Enumerable.Range(0, 10_001).Select(i => l + (u - l) * i / 10_000).ToArray();

        double e = Error(l);
        double worst = grid.Max(x => Math.Abs(Error(x)));

        Assert.True(e > 0, "the error at l is 1 − p(l) > 0");
        Assert.Equal(-e, Error(u), 12);
        Assert.Equal(e, worst, 6);   // the grid's worst point equals E up to the grid's resolution
        Assert.Equal(new Orthogonalize.Coefficients(15.0 / 8, -10.0 / 8, 3.0 / 8), Orthogonalize.OptimalOddQuintic(1, 1));
    }

    [Fact]
    public void Muon_with_another_lower_bound_steps_along_the_schedule_computed_for_it()
    {
        // One step from zero momentum with β = 0, no Nesterov: p ← p − lr·NS(g) with the schedule for ℓ = 0.05,
        // which differs from the published ℓ = 1e-3 one (checked, so the comparison can fail).
        using var g = randn(new long[] { 6, 9 }, dtype: ScalarType.Float64, generator: new Generator(3));
        using var p = new TorchSharp.Modules.Parameter(zeros(6, 9, dtype: ScalarType.Float64));
        using var muon = Optim.Muon(new[] { p }, lr: 1, momentum: 0, nesterov: false, ns_dtype: ScalarType.Float64,
            ns_method: Optim.NewtonSchulzMethod.PolarExpress, polar_express_lower_bound: 0.05);
        p.grad = g.clone();

        muon.step();

        var schedule = Orthogonalize.DesignPolarExpress(5, 0.05).Schedule;
        using var expected = -Orthogonalize.NewtonSchulz(g, schedule, ScalarType.Float64, Orthogonalize.DefaultEpsilon, Orthogonalize.PolarExpressSafety);
        using var published = -Orthogonalize.PolarExpress(g, 5, ScalarType.Float64);
        Assert.True(TensorAssert.MaxAbsDifference(p, expected) < 1e-14);
        Assert.True(TensorAssert.MaxAbsDifference(p, published) > 1e-3);
    }

    [Theory]
    [InlineData(0, 1e-3, 1.01, "steps", "an integer ≥ 1")]
    [InlineData(5, 0.0, 1.01, "lowerBound", "(0, 1)")]
    [InlineData(5, 1.0, 1.01, "lowerBound", "(0, 1)")]
    [InlineData(5, double.NaN, 1.01, "lowerBound", "(0, 1)")]
    [InlineData(5, 1e-3, 0.99, "safety", "≥ 1")]
    public void A_bad_argument_is_refused_naming_its_value_and_the_accepted_range(int steps, double lowerBound, double safety, string name, string accepted)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Orthogonalize.DesignPolarExpress(steps, lowerBound, safety));

        Assert.Equal(name, error.ParamName);
        Assert.Contains(accepted, error.Message);
    }
}
