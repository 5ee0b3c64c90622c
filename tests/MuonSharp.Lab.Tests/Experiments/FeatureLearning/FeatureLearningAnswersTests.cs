using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments.FeatureLearning;

namespace MuonSharp.Lab.Tests.Experiments.FeatureLearning;

/// <summary>The answer rules on synthetic runs whose answer is known by construction.</summary>
public sealed class FeatureLearningAnswersTests
{
    private static readonly FeatureLearningConfig Config = new() { FineTuneShots = new[] { 10 }, NoiseSigmas = new[] { 0.1 }, AttackEpsilons = new[] { 0.02 }, Permutations = 2000 };

    /// <summary>A matched run whose every measurement is <paramref name="value"/> (trace and eigenvalue too, so "flatter" means lower).</summary>
    private static FeatureRun Run(string optimizer, int seed, double value, long? reached = 100) =>
        new(optimizer, seed, 0.01, reached, false, 0.3, new long[] { 0, 100 }, new[] { 1.6, 0.3 }, value, 0.1, value, value, new[] { value }, value, new[] { value }, new[] { value }, new[] { value }, 10,
            new Dictionary<string, double> { ["fc1.weight"] = 5 });

    /// <summary>Three seeds; each optimizer's value is its base plus a seed effect shared by all (removed by the pairing) plus <paramref name="jitter"/> per seed for Muon.</summary>
    private static List<FeatureRun> Runs(double muon, double adamw, double sgd, double[]? jitter = null) =>
        Enumerable.Range(0, 3).SelectMany(seed => new[]
        {
            Run(FeatureLearningExperiment.Muon, seed, muon + 0.1 * seed + (jitter?[seed] ?? 0)),
            Run(FeatureLearningExperiment.AdamW, seed, adamw + 0.1 * seed),
            Run(FeatureLearningExperiment.Sgd, seed, sgd + 0.1 * seed),
        }).ToList();

    private static Verdict VerdictOf(IReadOnlyList<ClaimResult> results, ClaimSpec spec) => results.Single(r => r.Id == spec.Id).Verdict;

    [Fact]
    public void Muon_ahead_of_both_answers_yes_and_behind_either_answers_no()
    {
        // Higher values: better probe, fine-tune and robust accuracy, but a sharper (less flat) solution.
        var higher = FeatureLearningAnswers.Judge(Config, Runs(muon: 0.9, adamw: 0.8, sgd: 0.7, jitter: new[] { 0.0, 0.01, -0.01 }));
        foreach (var spec in new[] { FeatureLearningAnswers.ProbeTransfer, FeatureLearningAnswers.FineTuneTransfer, FeatureLearningAnswers.NoiseRobust, FeatureLearningAnswers.AdversarialRobust })
            Assert.Equal(Verdict.Holds, VerdictOf(higher, spec));
        Assert.Equal(Verdict.Fails, VerdictOf(higher, FeatureLearningAnswers.FlatterTrace));
        Assert.Equal(Verdict.Fails, VerdictOf(higher, FeatureLearningAnswers.FlatterTopEigenvalue));

        var between = FeatureLearningAnswers.Judge(Config, Runs(muon: 0.75, adamw: 0.8, sgd: 0.7, jitter: new[] { 0.0, 0.01, -0.01 }));
        Assert.Equal(Verdict.Fails, VerdictOf(between, FeatureLearningAnswers.ProbeTransfer));      // AdamW ahead of Muon
        Assert.Equal(Verdict.Fails, VerdictOf(between, FeatureLearningAnswers.FlatterTrace));       // SGD flatter than Muon
        Assert.Contains("Answer: no", higher.Single(r => r.Id == FeatureLearningAnswers.FlatterTrace.Id).Note);
    }

    [Fact]
    public void A_difference_within_the_seed_spread_or_a_run_that_missed_the_target_is_not_distinguishable()
    {
        var noisy = FeatureLearningAnswers.Judge(Config, Runs(muon: 0.81, adamw: 0.8, sgd: 0.7, jitter: new[] { 0.1, -0.1, 0.05 }));
        Assert.Equal(Verdict.Inconclusive, VerdictOf(noisy, FeatureLearningAnswers.ProbeTransfer));
        Assert.Contains("not distinguishable", noisy.Single(r => r.Id == FeatureLearningAnswers.ProbeTransfer.Id).Note);

        var runs = Runs(muon: 0.9, adamw: 0.8, sgd: 0.7, jitter: new[] { 0.0, 0.01, -0.01 });
        runs[0] = runs[0] with { ReachedStep = null };   // Muon seed 0 never reached the target
        var missing = FeatureLearningAnswers.Judge(Config, runs);
        Assert.Equal(Verdict.Inconclusive, VerdictOf(missing, FeatureLearningAnswers.ProbeTransfer));
        Assert.Contains("muon seed 0", missing.Single(r => r.Id == FeatureLearningAnswers.ProbeTransfer.Id).Note);
    }

    /// <summary>Twelve runs whose probe accuracy is a function of the trace plus nothing else.</summary>
    private static List<FeatureRun> Correlated(Func<double, double> probe) =>
        Enumerable.Range(0, 12).Select(i => Run(FeatureLearningExperiment.OptimizerNames[i % 5], i / 5, 1) with
        {
            HessianTrace = 10 + i, ProbeAccuracy = probe(10 + i), FineTuneAccuracy = new[] { probe(10 + i) },
        }).ToList();

    [Fact]
    public void Flatness_predicts_transfer_when_accuracy_falls_with_the_trace_and_not_when_it_rises_or_is_unrelated()
    {
        Assert.Equal(Verdict.Holds, VerdictOf(FeatureLearningAnswers.Judge(Config, Correlated(t => 1 - t / 100)), FeatureLearningAnswers.FlatnessPredictsTransfer));
        Assert.Equal(Verdict.Fails, VerdictOf(FeatureLearningAnswers.Judge(Config, Correlated(t => t / 100)), FeatureLearningAnswers.FlatnessPredictsTransfer));
        // Alternating high and low: ρ near 0.
        Assert.Equal(Verdict.Inconclusive, VerdictOf(FeatureLearningAnswers.Judge(Config, Correlated(t => t % 2 == 0 ? 0.9 : 0.8)), FeatureLearningAnswers.FlatnessPredictsTransfer));
        // Too few runs to test.
        Assert.Equal(Verdict.Inconclusive, VerdictOf(FeatureLearningAnswers.Judge(Config, Correlated(t => 1 - t / 100).Take(3).ToList()), FeatureLearningAnswers.FlatnessPredictsTransfer));
    }
}
