using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments.Factorization;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Experiments.Factorization;

public sealed class TwoStepScheduleTests
{
    [Fact]
    public void The_small_orthogonal_start_has_orthonormal_columns_scaled_by_alpha()
    {
        using var scope = NewDisposeScope();
        using var problem = new FactorizationProblem(new[] { 4.0, 2.0, 1.0 }, hidden: 5);
        using var generator = new Generator(3);

        var (p, q) = problem.SmallOrthogonalInit(1e-3, generator);

        Assert.True((p.T.matmul(p) / 1e-6).allclose(eye(3, dtype: ScalarType.Float64), rtol: 1e-10, atol: 1e-10));
        Assert.True((q.T.matmul(q) / 1e-6).allclose(eye(3, dtype: ScalarType.Float64), rtol: 1e-10, atol: 1e-10));
    }

    [Fact]
    public void A_first_polar_step_of_size_alpha_from_an_orthogonal_start_makes_both_factors_equal()
    {
        // Given P₀ = α O_P, Q₀ = α O_Q and a target far above α²,
        using var scope = NewDisposeScope();
        const double alpha = 1e-6;
        using var problem = new FactorizationProblem(new[] { 10.0, 5.0, 2.0, 1.0 }, hidden: 4);
        using var generator = new Generator(11);
        var (p0, q0) = problem.SmallOrthogonalInit(alpha, generator);

        // when the polar step takes η₀ = α,
        var (p1, q1) = Trainer.Step(problem, p0, q0, alpha, UpdateRule.SpectralGd);

        // then P₁ = Q₁ = α(O_P + O_Q) up to the O(α³) the residual's PᵀQ term adds.
        Assert.True(p1.allclose(q1, rtol: 0, atol: 1e-9 * alpha));
        Assert.True(p1.allclose(p0 + q0, rtol: 0, atol: 1e-9 * alpha));
    }

    [Fact]
    public void The_determinant_sign_reads_through_underflow()
    {
        using var scope = NewDisposeScope();
        var flip = diag(tensor(new[] { 1.0, 1.0, -1.0 }, ScalarType.Float64));
        var p = eye(3, dtype: ScalarType.Float64) * 1e-120; // det(PᵀQ) = ±1e-720 underflows to 0

        Assert.Equal(1, FactorizationMetrics.DeterminantSign(p, p));
        Assert.Equal(-1, FactorizationMetrics.DeterminantSign(p, p.matmul(flip)));
    }

    [Fact]
    public void Claim_e_holds_only_when_every_seed_aligns()
    {
        var holds = TwoStepSchedule.Judge(new(), new[] { 4e-5, 3e-5 }, new[] { 1, 1 });
        var fails = TwoStepSchedule.Judge(new(), new[] { 4e-5, 0.17 }, new[] { 1, -1 });
        var inconclusive = TwoStepSchedule.Judge(new(), new[] { 4e-5, double.NaN }, new[] { 1, 1 });

        Assert.Equal(Verdict.Holds, holds.Verdict);
        Assert.Equal(Verdict.Fails, fails.Verdict);
        Assert.Contains("1 of 2", fails.Note);
        Assert.Equal(Verdict.Inconclusive, inconclusive.Verdict);
    }
}
