using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments.Factorization;

namespace MuonSharp.Lab.Tests.Experiments.Factorization;

public sealed class ClaimJudgeTests
{
    private static IReadOnlyList<IReadOnlyList<double>> Rows(params double[][] rows) => rows;

    [Fact]
    public void Claim_c_holds_when_gd_never_converges_and_the_polar_step_stays_below_its_initial_loss()
    {
        var gd = Rows(new[] { double.PositiveInfinity, double.PositiveInfinity }, new[] { 0.5, double.PositiveInfinity });

        var holds = CriticalStepSize.Judge(new(), gd, Rows(new[] { 2e-3, 0.3 }, new[] { 1e-3, 0.2 }));
        var gdConverged = CriticalStepSize.Judge(new(), Rows(new[] { 1e-4, double.PositiveInfinity }), Rows(new[] { 2e-3, 0.3 }));
        var polarBlewUp = CriticalStepSize.Judge(new(), gd, Rows(new[] { 2e-3, double.PositiveInfinity }, new[] { 1e-3, 0.2 }));
        var inconclusive = CriticalStepSize.Judge(new(), gd, Rows(new[] { 2e-3, double.NaN }, new[] { 1e-3, 0.2 }));

        Assert.Equal(Verdict.Holds, holds.Verdict);
        Assert.Equal(Verdict.Fails, gdConverged.Verdict);
        Assert.Equal(Verdict.Fails, polarBlewUp.Verdict);
        Assert.Equal(Verdict.Inconclusive, inconclusive.Verdict);
    }

    [Fact]
    public void Claim_f_holds_when_both_fit_and_end_balanced()
    {
        var fitting = new Dictionary<string, List<double>> { ["spectral-gd"] = new() { 1e-6, 1e-6 }, ["gd"] = new() { 1e-7, 1e-7 } };

        var holds = BalancedSolution.Judge(new(), new Dictionary<string, List<double>> { ["spectral-gd"] = new() { 0.02, 0.03 }, ["gd"] = new() { 1e-4, 2e-4 } }, fitting);
        var fails = BalancedSolution.Judge(new(), new Dictionary<string, List<double>> { ["spectral-gd"] = new() { 0.02, 0.6 }, ["gd"] = new() { 1e-4, 2e-4 } }, fitting);
        var unfit = BalancedSolution.Judge(new(), new Dictionary<string, List<double>> { ["spectral-gd"] = new() { 0.02, 0.03 }, ["gd"] = new() { 1e-4, 2e-4 } },
            new Dictionary<string, List<double>> { ["spectral-gd"] = new() { 1e-6, 1e-6 }, ["gd"] = new() { 0.2, 1e-7 } });

        Assert.Equal(Verdict.Holds, holds.Verdict);
        Assert.Equal(Verdict.Fails, fails.Verdict);
        Assert.Equal(Verdict.Inconclusive, unfit.Verdict);
        Assert.Contains("Precondition", unfit.Note);
    }
}
