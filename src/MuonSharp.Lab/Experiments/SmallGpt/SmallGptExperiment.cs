using System.Globalization;
using System.Text;
using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;

namespace MuonSharp.Lab.Experiments.SmallGpt;

/// <summary>
/// Muon vs AdamW on a character-level GPT (<c>002 §5</c>'s small NanoGPT; <c>004 §8–10</c>'s layerwise condition):
/// every seed × optimizer trained at the default rates with the spectral monitor attached, then a learning-rate sweep
/// of each optimizer on the first seed for half the steps; the four claims judged; plots, throughput and samples.
/// </summary>
public sealed class SmallGptExperiment : Experiment<SmallGptConfig>
{
    /// <summary>AdamW on every parameter.</summary>
    public const string AdamW = "adamw";
    /// <summary>Muon on the block matrices, AdamW on embeddings, head and gains (the hybrid).</summary>
    public const string Muon = "muon";
    /// <summary>Every optimizer name this experiment understands.</summary>
    public static readonly IReadOnlyList<string> OptimizerNames = new[] { AdamW, Muon };

    /// <summary>What <c>optimizers</c> accepts: <see cref="OptimizerNames"/> and their variants (<c>normuon</c>; see <see cref="OptimizerTable.WithVariants"/>).</summary>
    public static readonly IReadOnlyList<string> Accepted = OptimizerTable.WithVariants(OptimizerNames);

    /// <summary>Characters of the validation text's start that prompt the samples.</summary>
    public const int PromptLength = 64;

    /// <inheritdoc />
    public override string Id => "small-gpt";
    /// <inheritdoc />
    public override string Description => "Character-level GPT (4 layers, width 128, context 256): validation loss, weight stable rank, learning-rate plateau and the layerwise condition, Muon vs AdamW.";
    /// <inheritdoc />
    public override string Source => "002 §5, small NanoGPT; 004 §8–10";
    /// <inheritdoc />
    public override IReadOnlyList<string> KnownOptimizers => Accepted;
    /// <inheritdoc />
    public override IReadOnlyList<ClaimSpec> Claims => SmallGptClaims.All;
    /// <inheritdoc />
    public override SmallGptConfig Paper => new();
    /// <inheritdoc />
    public override SmallGptConfig Quick => Paper with
    {
        Steps = 40, Seeds = 2, Layers = 2, Heads = 2, Width = 32, Context = 32, BatchSize = 8,
        EvalEvery = 10, EvalBatches = 2, MonitorEvery = 10, SweepFactors = new[] { 0.1, 1, 10 }, SampleLength = 40,
    };

    /// <inheritdoc />
    protected override IReadOnlyList<ClaimResult> Run(RunContext context, SmallGptConfig config)
    {
        // Runs on the lab's torch thread count (LabRunner: one by default, see RunOptions.TorchThreads).
        string text = context.Data.Text(config.Corpus);
        using var corpus = CharCorpus.Split(text, config.TrainFraction, config.Context, config.Corpus);
        context.Log(string.Create(CultureInfo.InvariantCulture,
            $"corpus '{config.Corpus}': {corpus.TrainIds.shape[0]:N0} training and {corpus.ValidationIds.shape[0]:N0} validation characters, vocabulary {corpus.Vocabulary}"));
        var prompt = corpus.ValidationIds.narrow(0, 0, Math.Min(PromptLength, corpus.ValidationIds.shape[0])).data<long>().ToArray();

        var main = TrainingLoop.ForEachRun(context, config, (seed, optimizer) =>
            SmallGptTraining.Train(context, config, corpus, optimizer, seed, DefaultLr(config, optimizer), config.Steps,
                record: true, monitor: true, samplePrompt: seed == config.Seed ? prompt : null, metricPrefix: "", label: "main"), "main");
        var sweep = Sweep(context, config, corpus);

        LogThroughput(context, config, main);
        foreach (var run in main.Where(r => r.Seed == config.Seed))
            context.Log($"{run.Optimizer} seed {run.Seed}: spectral monitor advice at the end\n{run.Advice.TrimEnd()}");
        WriteSamples(context, corpus.Decode(prompt), main.Where(r => r.Seed == config.Seed).ToList());
        SmallGptPlots.Draw(context, config, main, sweep);
        return SmallGptClaims.Judge(config, main, sweep);
    }

    /// <summary>The default learning rate of <paramref name="optimizer"/> (for <c>muon</c>, its Muon rate).</summary>
    private static double DefaultLr(SmallGptConfig config, string optimizer) => OptimizerTable.LrFromConfig(optimizer, config)!.Value;

    /// <summary>Every optimizer at its default rate times each sweep factor, first seed, <c>SweepSteps</c> updates; one unit each.</summary>
    private static List<SmallGptRun> Sweep(RunContext context, SmallGptConfig config, CharCorpus corpus)
    {
        var runs = new List<SmallGptRun>();
        foreach (var optimizer in config.Optimizers)
            foreach (var factor in config.SweepFactors)
            {
                string tag = "x" + factor.ToString("G4", CultureInfo.InvariantCulture);
                double lr = DefaultLr(config, optimizer) * factor;
                var run = context.Unit($"sweep/{optimizer}/{tag}", () => SmallGptTraining.Train(context, config, corpus, optimizer, config.Seed, lr,
                    config.SweepSteps, record: true, monitor: false, samplePrompt: null, metricPrefix: $"sweep_{tag}/", label: $"sweep {tag}"));
                context.Log(string.Create(CultureInfo.InvariantCulture, $"sweep {optimizer} lr {lr:G3} ({tag}): final validation loss {run.FinalValidationLoss:F4}"));
                runs.Add(run);
            }
        return runs;
    }

    /// <summary>Tokens per second of the updates and the optimizer's and monitor's shares of their time (reported, never judged).</summary>
    private static void LogThroughput(RunContext context, SmallGptConfig config, IReadOnlyList<SmallGptRun> main)
    {
        foreach (var optimizer in config.Optimizers)
        {
            var runs = main.Where(r => r.Optimizer == optimizer && r.UpdateSeconds > 0).ToList();
            if (runs.Count == 0) continue;
            double seconds = runs.Sum(r => r.UpdateSeconds), tokens = runs.Sum(r => (double)r.Steps * config.BatchSize * config.Context);
            context.Log(string.Create(CultureInfo.InvariantCulture,
                $"throughput {optimizer}: {tokens / seconds:N0} tokens/s, {seconds / runs.Sum(r => r.Steps):F3} s per update; optimizer step {runs.Sum(r => r.OptimizerSeconds) / seconds:P1} " +
                $"and monitor observations {runs.Sum(r => r.MonitorSeconds) / seconds:P1} of the update time"));
        }
    }

    /// <summary>Writes <c>samples.txt</c> to the run directory and the log: the prompt, then each optimizer's continuation.</summary>
    private static void WriteSamples(RunContext context, string prompt, IReadOnlyList<SmallGptRun> runs)
    {
        var text = new StringBuilder().AppendLine("prompt (the validation text's start):").AppendLine(prompt).AppendLine();
        foreach (var run in runs)
            text.AppendLine($"{run.Optimizer} (seed {run.Seed}, continuing the prompt):").AppendLine(run.Sample).AppendLine();
        context.Log("samples\n" + text.ToString().TrimEnd());
        if (context.RunDirectory is { } directory) AtomicFile.WriteAllText(Path.Combine(directory, "samples.txt"), text.ToString());
    }
}
