using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;
using static MuonSharp.Lab.Experiments.Factorization.FactorizationClaims;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.Factorization;

/// <summary>
/// Part (f): both optimizers end (a)'s runs from small init at a balanced solution, PPᵀ = QQᵀ, although
/// they conserve different quantities (claim (b)). Read from the end points of (a); no new training.
/// </summary>
internal static class BalancedSolution
{
    /// <summary>Judges claim (f) from the end points of (a).</summary>
    public static ClaimResult Run(FactorizationConfig config, FactorizationProblem problem, Dictionary<(string Optimizer, int Seed), FactorRun> runs)
    {
        var measured = new Dictionary<string, double>();
        var optimizers = new[] { FactorizationExperiment.PolarStep, "gd" };
        if (!optimizers.All(config.Optimizers.Contains))
            return BothBalanced.Judge(null, measured, $"The claim is about both optimizers; run both (optimizers={string.Join(",", optimizers)}).");

        var imbalance = new Dictionary<string, List<double>>();
        var fit = new Dictionary<string, List<double>>();
        var shape = new long[] { problem.Hidden, problem.Dim };
        foreach (var optimizer in optimizers)
        {
            imbalance[optimizer] = new();
            fit[optimizer] = new();
            foreach (int seed in config.SeedList)
            {
                var run = runs[(optimizer, seed)];
                using var scope = NewDisposeScope();
                var p = tensor(run.FinalP, shape, ScalarType.Float64);
                var q = tensor(run.FinalQ, shape, ScalarType.Float64);
                imbalance[optimizer].Add(run.Diverged ? double.NaN : FactorizationMetrics.Imbalance(p, q, problem.TargetNormSquared));
                fit[optimizer].Add(run.Diverged ? double.PositiveInfinity : run.Loss[^1] / problem.TargetNormSquared);
            }
        }
        return Judge(measured, imbalance, fit);
    }

    /// <summary>
    /// Claim (f)'s verdict from per-optimizer, per-seed imbalances and final loss ratios: inconclusive unless
    /// every run fits (loss ≤ <see cref="FitLossRatio"/> × ‖M*‖²_F), then holds when every imbalance is ≤
    /// <see cref="MaxImbalance"/>.
    /// </summary>
    public static ClaimResult Judge(Dictionary<string, double> measured, IReadOnlyDictionary<string, List<double>> imbalance, IReadOnlyDictionary<string, List<double>> fit)
    {
        foreach (var (optimizer, values) in imbalance)
        {
            measured[$"{optimizer}_final_imbalance_max"] = values.Count == 0 ? double.NaN : values.Max();
            measured[$"{optimizer}_final_loss_ratio_max"] = fit[optimizer].Count == 0 ? double.NaN : fit[optimizer].Max();
        }
        var decisive = imbalance.Keys.Select(o => $"{o}_final_imbalance_max").ToArray();
        if (fit.Values.SelectMany(v => v).Any(r => !(r <= FitLossRatio)) || imbalance.Values.Any(v => v.Count == 0))
            return BothBalanced.Judge(null, measured, $"Precondition not met: some run of (a) did not fit the target (final loss > {FitLossRatio} × ‖M*‖²_F); raise steps.", decisive);
        bool holds = imbalance.Values.SelectMany(v => v).All(x => x <= MaxImbalance);
        return BothBalanced.Judge(holds, measured, decisive: decisive);
    }
}
