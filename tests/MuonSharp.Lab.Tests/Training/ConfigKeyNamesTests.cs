using MuonSharp.Lab.Configuration;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Experiments.StableRankInit;
using MuonSharp.Lab.Training;

namespace MuonSharp.Lab.Tests.Training;

/// <summary>One concept, one key: the spellings every experiment's config uses, and the synonyms that must not come back.</summary>
public sealed class ConfigKeyNamesTests
{
    /// <summary>Concept → the accepted spelling → synonyms that once existed or would mean the same.</summary>
    public static readonly TheoryData<string, string, string[]> Concepts = new()
    {
        { "width of a hidden layer", "hidden_width", new[] { "hidden", "hidden_dim", "hidden_size", "hidden_units" } },
        { "input dimension", "input_dim", new[] { "dim", "dimension", "input_dimension", "input_size", "in_dim" } },
        { "evaluation cadence", "eval_every", new[] { "record_every", "log_every", "eval_interval", "evaluate_every" } },
        { "scale of the initial weights", "init_scale", new[] { "init_std", "init_gain", "init_sigma" } },
        { "number of samples", "samples", new[] { "n_samples", "num_samples", "sample_count" } },
        { "label or measurement noise", "noise_std", new[] { "noise", "noise_sigma", "noise_scale" } },
    };

    private static IEnumerable<(string Experiment, string Key)> AllKeys() =>
        ExperimentRegistry.All.SelectMany(e => ConfigOverrides.Keys(e.ConfigType).Keys.Select(k => (e.Id, k)));

    [Theory]
    [MemberData(nameof(Concepts))]
    public void No_experiment_spells_a_concept_with_a_synonym(string concept, string accepted, string[] synonyms)
    {
        var offenders = AllKeys().Where(k => synonyms.Contains(k.Key)).Select(k => $"{k.Experiment}: {k.Key}").ToList();

        Assert.True(offenders.Count == 0, $"{concept} is spelled '{accepted}'; found {string.Join(", ", offenders)}");
    }

    [Fact]
    public void Dimensions_are_spelled_dim()
    {
        var offenders = AllKeys().Where(k => k.Key.EndsWith("_dimension", StringComparison.Ordinal)).ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void Every_learning_rate_key_names_its_canonical_optimizer()
    {
        var prefixes = OptimizerTable.Names.Select(n => n.Replace('-', '_') + "_").OrderByDescending(p => p.Length).ToList();
        var offenders = new List<string>();
        foreach (var (experiment, key) in AllKeys())
        {
            if (key.Contains("learning_rate", StringComparison.Ordinal) || key.Contains("step_size", StringComparison.Ordinal))
                offenders.Add($"{experiment}: {key} (write <optimizer>_lr)");
            else if (key.Split('_').Contains("lr") && !((key.EndsWith("_lr", StringComparison.Ordinal) || key.EndsWith("_lr_grid", StringComparison.Ordinal))
                                                        && prefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal))))
                offenders.Add($"{experiment}: {key} (a learning rate is <canonical optimizer>_lr or <canonical optimizer>_<part>_lr; the rates a search tries, <canonical optimizer>_lr_grid)");
        }

        Assert.True(offenders.Count == 0, string.Join("; ", offenders));
    }

    [Fact]
    public void Every_optimizer_an_experiment_knows_is_a_canonical_name()
    {
        // stable-rank-init trains nothing: its "optimizers" key names activations (see its config).
        var offenders = ExperimentRegistry.All.Where(e => e is not StableRankInitExperiment)
            .SelectMany(e => e.KnownOptimizers.Where(o => !OptimizerTable.Names.Contains(o)).Select(o => $"{e.Id}: {o}")).ToList();

        Assert.Empty(offenders);
    }
}
