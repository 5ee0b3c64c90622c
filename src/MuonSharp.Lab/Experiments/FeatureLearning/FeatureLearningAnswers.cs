using System.Globalization;
using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;

namespace MuonSharp.Lab.Experiments.FeatureLearning;

/// <summary>
/// <c>001</c>'s open questions as claims whose verdict is the answer: holds = "yes", fails = "no",
/// inconclusive = "not distinguishable at this seed count". Each of q1–q3 compares Muon with AdamW and with
/// SGD by per-seed paired differences at matched loss (<see cref="PairedDifference"/>: a seed gives every
/// optimizer the same initialization and batches) and answers yes only when Muon is ahead of both, in every
/// condition (every budget, σ, ε), by more than one standard error; no when either is ahead of Muon by more
/// than one standard error in some condition. A run that did not reach the target enters as NaN, which makes
/// what it enters not distinguishable. Rules fixed before the first paper-size run.
/// </summary>
public static class FeatureLearningAnswers
{
    private const string Goal = "001, Goal";
    private const string Transfer = "001, Pre-Training and Downstream Task Effectiveness (Liu et al. 2023)";
    private const string Robust = "001, Goal (\"Robust?\"); Generalization and Implicit Regularization";
    private const string Rule = "Yes (holds) if Muon is ahead of both AdamW and SGD by more than the standard error of the per-seed paired difference in every comparison; " +
                                "no (fails) if AdamW or SGD is ahead of Muon by more than it in some comparison; otherwise not distinguishable at this seed count (inconclusive).";

    /// <summary>q1: flatter by the Hessian trace.</summary>
    public static readonly ClaimSpec FlatterTrace = new("q1a-flatter-trace", Transfer,
        "At matched pretraining loss Muon's solution is flatter than AdamW's and SGD's: a lower Hessian trace.",
        "Hutchinson's estimate of tr ∇²L (hutchinson_probes Rademacher probes) on the fixed Hessian batch at the checkpoint, per seed; " +
        "the paired differences adamw − muon and sgd − muon (keys muon_vs_adamw_trace, muon_vs_sgd_trace; positive: Muon flatter).", Rule);

    /// <summary>q1: flatter by the top Hessian eigenvalue.</summary>
    public static readonly ClaimSpec FlatterTopEigenvalue = new("q1b-flatter-top-eigenvalue", Transfer,
        "At matched pretraining loss Muon's solution is flatter than AdamW's and SGD's: a lower top Hessian eigenvalue (sharpness).",
        "The largest-magnitude eigenvalue of ∇²L by power iteration on the same batch, per seed; the paired differences adamw − muon and sgd − muon (positive: Muon flatter).", Rule);

    /// <summary>q2: features transfer better by a linear probe.</summary>
    public static readonly ClaimSpec ProbeTransfer = new("q2a-probe-transfer", Transfer,
        "Muon's pretrained features transfer better than AdamW's and SGD's: a higher linear-probe accuracy on the held-out classes.",
        "Accuracy of the fixed-recipe linear probe (probe_images_per_class per class) on the held-out classes' test images, per seed; " +
        "the paired differences muon − adamw and muon − sgd.", Rule);

    /// <summary>q2: features transfer better by few-shot fine-tuning.</summary>
    public static readonly ClaimSpec FineTuneTransfer = new("q2b-fine-tune-transfer", Transfer,
        "Muon's pretrained network fine-tunes better than AdamW's and SGD's on a few labelled examples of the held-out classes.",
        "Accuracy after the fixed fine-tuning recipe with each budget of fine_tune_shots examples per class, per seed; " +
        "the paired differences muon − adamw and muon − sgd at every budget.", Rule);

    /// <summary>q3: more robust to pixel noise.</summary>
    public static readonly ClaimSpec NoiseRobust = new("q3a-noise-robust", Robust,
        "Muon's pretrained network is more robust to Gaussian pixel noise than AdamW's and SGD's.",
        "Accuracy on the robustness images with N(0, σ²) noise added to every pixel (clamped to [0, 1]) at each noise_sigmas σ, per seed; " +
        "the paired differences muon − adamw and muon − sgd at every σ.", Rule);

    /// <summary>q3: more robust to adversarial perturbations.</summary>
    public static readonly ClaimSpec AdversarialRobust = new("q3b-adversarial-robust", Robust,
        "Muon's pretrained network is more robust to L∞ adversarial perturbations than AdamW's and SGD's.",
        "Accuracy on the robustness images under FGSM and under PGD (pgd_steps steps of 2.5 ε / steps, no random start) at each attack_epsilons ε, per seed; " +
        "the paired differences muon − adamw and muon − sgd for both attacks at every ε.", Rule);

    /// <summary>q4: flatness predicts transfer (Liu et al. 2023).</summary>
    public static readonly ClaimSpec FlatnessPredictsTransfer = new("q4-flatness-predicts-transfer", Transfer,
        "Across optimizers and seeds, flatter solutions transfer better: linear-probe accuracy falls as the Hessian trace rises (Liu et al. 2023, Fig. 3).",
        "Spearman's ρ between the Hessian trace and the linear-probe accuracy over every run that reached the target (all optimizers and seeds), " +
        "with a two-sided permutation p-value (permutations re-pairings); the same for the largest fine-tuning budget, reported beside it.",
        "Yes (holds) if ρ < 0 with p < significance_level; no (fails) if ρ > 0 with p < significance_level; otherwise not distinguishable (inconclusive, also with fewer than 4 runs).");

    /// <summary>All seven, in order.</summary>
    public static IReadOnlyList<ClaimSpec> All => new[] { FlatterTrace, FlatterTopEigenvalue, ProbeTransfer, FineTuneTransfer, NoiseRobust, AdversarialRobust, FlatnessPredictsTransfer };

    /// <summary>The word a verdict answers with.</summary>
    /// <param name="holds">The judge's outcome.</param>
    public static string Answer(bool? holds) => holds switch { true => "yes", false => "no", null => "not distinguishable at this seed count" };

    /// <summary>Judges every question.</summary>
    /// <param name="config">Settings (budgets, σ, ε, the test's permutations and level).</param>
    /// <param name="runs">Every measured run.</param>
    public static IReadOnlyList<ClaimResult> Judge(FeatureLearningConfig config, IReadOnlyList<FeatureRun> runs)
    {
        string Shots(int i) => config.FineTuneShots[i].ToString(CultureInfo.InvariantCulture);
        string Level(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        return new[]
        {
            MuonAhead(FlatterTrace, runs, new[] { new Measure("trace", r => r.HessianTrace, LowerIsBetter: true) }),
            MuonAhead(FlatterTopEigenvalue, runs, new[] { new Measure("top_eigenvalue", r => r.HessianTopEigenvalue, LowerIsBetter: true) }),
            MuonAhead(ProbeTransfer, runs, new[] { new Measure("probe_accuracy", r => r.ProbeAccuracy) }),
            MuonAhead(FineTuneTransfer, runs, config.FineTuneShots.Select((_, i) => new Measure($"fine_tune_{Shots(i)}shot_accuracy", r => r.FineTuneAccuracy[i])).ToList()),
            MuonAhead(NoiseRobust, runs, config.NoiseSigmas.Select((sigma, i) => new Measure($"noise{Level(sigma)}_accuracy", r => r.NoiseAccuracy[i])).ToList()),
            MuonAhead(AdversarialRobust, runs, config.AttackEpsilons.SelectMany((epsilon, i) => new[]
            {
                new Measure($"fgsm{Level(epsilon)}_accuracy", r => r.FgsmAccuracy[i]),
                new Measure($"pgd{Level(epsilon)}_accuracy", r => r.PgdAccuracy[i]),
            }).ToList()),
            Correlation(config, runs),
        };
    }

    /// <summary>One measured quantity compared between optimizers.</summary>
    /// <param name="Name">Its key in the measured numbers.</param>
    /// <param name="Value">Its value in a run.</param>
    /// <param name="LowerIsBetter">Muon's side of the claim is the lower value (flatness); the difference is then other − muon.</param>
    private sealed record Measure(string Name, Func<FeatureRun, double> Value, bool LowerIsBetter = false);

    /// <summary>
    /// Muon against AdamW and SGD on every measure: per-optimizer means over matched runs (<c>optimizer_name</c>) and
    /// the paired differences <c>muon_vs_other_name</c> oriented so that positive is Muon's side of the claim.
    /// </summary>
    private static ClaimResult MuonAhead(ClaimSpec spec, IReadOnlyList<FeatureRun> runs, IReadOnlyList<Measure> measures)
    {
        var measured = new Dictionary<string, double>();
        var comparisons = new List<(string Name, PairedDifference Difference)>();
        var decisive = new List<string>();
        foreach (var (name, value, lowerIsBetter) in measures)
        {
            foreach (var optimizer in runs.Select(r => r.Optimizer).Distinct())
                measured[$"{optimizer}_{name}"] = Stats.Mean(runs.Where(r => r.Optimizer == optimizer && r.Matched).Select(value));
            Func<FeatureRun, double> oriented = lowerIsBetter ? r => -value(r) : value;
            foreach (var other in new[] { FeatureLearningExperiment.AdamW, FeatureLearningExperiment.Sgd })
            {
                var difference = PairedDifference.Of(PerSeed(runs, FeatureLearningExperiment.Muon, oriented), PerSeed(runs, other, oriented));
                string key = $"muon_vs_{other}_{name}";
                decisive.AddRange(difference.Record(measured, key));
                comparisons.Add((key, difference));
            }
        }
        var (holds, deciding) = PairedDifference.AllFirstAhead(comparisons);
        // Shown first in reports: the comparison that decided, out of up to a dozen.
        if (deciding is not null) decisive = new List<string> { deciding, PairedDifference.StandardErrorKey(deciding) };
        string note = $"Answer: {Answer(holds)}" + (deciding is null ? "." : $"; deciding comparison {deciding} = {comparisons.First(c => c.Name == deciding).Difference}.");
        if (runs.Any(r => !r.Matched))
            note += " Runs that did not reach the target: " + string.Join(", ", runs.Where(r => !r.Matched).Select(r => $"{r.Optimizer} seed {r.Seed}")) + ".";
        return spec.Judge(holds, measured, note, decisive);
    }

    /// <summary>Seed → value for one optimizer; NaN for a run that did not reach the target.</summary>
    private static Dictionary<int, double> PerSeed(IReadOnlyList<FeatureRun> runs, string optimizer, Func<FeatureRun, double> value) =>
        runs.Where(r => r.Optimizer == optimizer).ToDictionary(r => r.Seed, r => r.Matched ? value(r) : double.NaN);

    private static ClaimResult Correlation(FeatureLearningConfig config, IReadOnlyList<FeatureRun> runs)
    {
        var matched = runs.Where(r => r.Matched).ToList();
        var trace = matched.Select(r => r.HessianTrace).ToList();
        var probe = RankCorrelation.Of(trace, matched.Select(r => r.ProbeAccuracy).ToList(), config.Permutations, config.Seed);
        var fineTune = RankCorrelation.Of(trace, matched.Select(r => r.FineTuneAccuracy[^1]).ToList(), config.Permutations, config.Seed);
        var measured = new Dictionary<string, double>
        {
            ["rho_trace_probe"] = probe.Rho, ["p_trace_probe"] = probe.PValue, ["runs"] = matched.Count,
            ["rho_trace_fine_tune"] = fineTune.Rho, ["p_trace_fine_tune"] = fineTune.PValue,
        };
        bool? holds = matched.Count < 4 || !(probe.PValue < config.SignificanceLevel) ? null : probe.Rho < 0;
        return FlatnessPredictsTransfer.Judge(holds, measured, $"Answer: {Answer(holds)}; probe {probe}, fine-tune ({config.FineTuneShots[^1]} shots) {fineTune}.",
            new[] { "rho_trace_probe", "p_trace_probe", "runs" });
    }
}
