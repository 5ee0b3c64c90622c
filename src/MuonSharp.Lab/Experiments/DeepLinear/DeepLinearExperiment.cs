using System.Globalization;
using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;

namespace MuonSharp.Lab.Experiments.DeepLinear;

/// <summary>
/// <c>000 §3</c>: a two-layer linear network W₂W₁ trained from a tiny initialization on a planted
/// regression problem, by GD, Spectral GD and Muon. GD learns the target's singular modes one at a time,
/// largest first, resting on a loss plateau at each saddle (Thm 3.1); Spectral GD grows all modes at
/// the same rate so the smallest saturate first (Thm 3.2), and it and Muon keep oscillating after
/// convergence (Figs 5–6). Files: config → data → training → metrics → claims; this class runs them.
/// </summary>
public sealed class DeepLinearExperiment : Experiment<DeepLinearConfig>
{
    /// <inheritdoc />
    public override string Id => "deep-linear";

    /// <inheritdoc />
    public override string Description =>
        "Two-layer linear network from tiny init: GD learns modes sequentially with loss plateaus, Spectral GD and Muon learn them at equal rates and oscillate";

    /// <inheritdoc />
    public override string Source => "000 §3, Thm 3.1–3.2, App. A–C.1, Figs 1, 5, 6";

    /// <inheritdoc />
    public override IReadOnlyList<string> KnownOptimizers { get; } = OptimizerTable.WithVariants(DeepLinearTraining.OptimizerNames);

    /// <inheritdoc />
    public override IReadOnlyList<ClaimSpec> Claims => DeepLinearClaims.All;

    /// <inheritdoc />
    public override DeepLinearConfig Paper => new();

    /// <summary>
    /// A few seconds: 8×8×8 network, three modes (4, 2, 1), 2 seeds, 300 steps. The learning rates keep
    /// the paper size's step-to-time ratios (GD at 0.4/s₁; Spectral GD and Muon saturate the top mode by
    /// step ≈ 100), and the larger init (10⁻⁴) shortens GD's saddles so its last mode is learned by ≈ step 100.
    /// </summary>
    public override DeepLinearConfig Quick => new()
    {
        Steps = 300,
        Seeds = 2,
        InputDim = 8,
        OutputDim = 8,
        HiddenWidth = 8,
        Samples = 200,
        TargetSingularValues = new double[] { 4, 2, 1 },
        InitScale = 1e-4,
        GdLr = 0.1,
        SpectralGdLr = 0.02,
        MuonLr = 0.02,
    };

    /// <inheritdoc />
    protected override IReadOnlyList<ClaimResult> Run(RunContext context, DeepLinearConfig config)
    {
        var runs = DeepLinearTraining.TrainAll(context, config);

        var analyses = runs.Select(r => DeepLinearMetrics.Analyze(r, config.TailFraction)).ToList();
        foreach (var a in analyses)
            context.Log($"{a.Optimizer} seed {a.Seed}: half-times [{string.Join(", ", a.HalfTimes.Select(Format))}], " +
                        $"plateaus {Format(a.Plateaus.Count)}, tail loss std {Format(a.TailLossStd)} (window before: {Format(a.EarlierLossStd)})");

        Plot(context, config, analyses);
        return new[]
        {
            DeepLinearClaims.JudgeSequential(analyses, config),
            DeepLinearClaims.JudgeEqualRate(analyses, config),
            DeepLinearClaims.JudgePlateaus(analyses, config),
            DeepLinearClaims.JudgeOscillation(analyses, config),
        };
    }

    /// <summary>
    /// σᵢ(t) per optimizer (Fig. 1), the excess loss on a log scale, the loss over the tail (Figs 5–6),
    /// and bars of half-times per mode, plateau counts and tail oscillation. Trajectories are the first
    /// seed's (a mean over seeds would blur the plateaus and oscillations); bars are seed means.
    /// </summary>
    private static void Plot(RunContext context, DeepLinearConfig config, IReadOnlyList<RunAnalysis> analyses)
    {
        int seed = config.Seed;
        var first = analyses.Where(a => a.Seed == seed).ToList();
        foreach (var a in first)
        {
            var steps = Enumerable.Range(0, a.Run.Loss.Length).Select(t => (double)t).ToArray();
            Charts.Line(context, $"sigma-{a.Optimizer}", $"{a.Optimizer}: σi = ui^T W2 W1 vi (seed {seed})", "step", "σᵢ",
                a.Run.Sigma.Select((s, i) => new Series($"σ{i + 1} (s = {Format(a.Run.ModeTargets[i])})", steps, s)));
        }
        Charts.Line(context, "excess-loss", $"Loss − least reachable loss (seed {seed})", "step", "excess loss",
            first.Select(a => new Series(a.Optimizer, Enumerable.Range(0, a.Run.Loss.Length).Select(t => (double)t).ToArray(), a.Run.ExcessLoss)),
            logY: true);
        Charts.Line(context, "tail-loss", $"Loss over the last {config.TailFraction:P0} of steps (seed {seed})", "step", "loss",
            first.Select(a =>
            {
                var tail = DeepLinearMetrics.Tail(a.Run.Loss, config.TailFraction);
                int offset = a.Run.Loss.Length - tail.Count;
                return new Series(a.Optimizer, Enumerable.Range(offset, tail.Count).Select(t => (double)t).ToArray(), tail);
            }));

        var optimizers = config.Optimizers;
        var modes = config.TargetSingularValues.Select((s, i) => $"mode {i + 1} (s ≈ {Format(s)})").ToList();
        Charts.Bars(context, "half-times", "Step at which σᵢ reaches sᵢ/2 (seed mean) — claims a, b", "step", modes,
            optimizers.Select(o => (o, (IReadOnlyList<double>)modes.Select((_, i) =>
                Stats.Mean(analyses.Where(a => a.Optimizer == o).Select(a => a.HalfTimes[i]))).ToList())).ToList());
        Charts.Bars(context, "plateaus", "Intermediate loss plateaus (seed mean) — claim c", "plateaus", optimizers,
            new[] { ("plateau count", (IReadOnlyList<double>)optimizers.Select(o => Stats.Mean(analyses.Where(a => a.Optimizer == o).Select(a => a.Plateaus.Count))).ToList()) });
        // Claim d: does the oscillation shrink with more steps? Tail std over the std of the window before it.
        Charts.Bars(context, "tail-oscillation", "Loss std over the tail ÷ over the window before it (seed mean; ≈ 1 persists) — claim d",
            "persistence", optimizers,
            new[] { ("persistence", (IReadOnlyList<double>)optimizers.Select(o => Stats.Mean(analyses.Where(a => a.Optimizer == o).Select(a => a.Persistence))).ToList()) });
    }

    private static string Format(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
