using System.Globalization;
using MuonSharp.Lab.Analysis;
using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Plots;
using MuonSharp.Lab.Runs;

namespace MuonSharp.Lab.Tests;

public enum ToyShape { Flat, Steep }

/// <summary>Gradient descent on x² from a seeded start: small, deterministic, and its answers are known.</summary>
public sealed record ToyConfig : ExperimentConfig
{
    public double LearningRate { get; init; } = 0.1;
    public ToyShape Shape { get; init; } = ToyShape.Flat;
    public double[] Scales { get; init; } = { 1.0 };

    /// <summary>Each unit saves its state (x and the step) at every due checkpoint, and restores it on resume.</summary>
    public bool SaveState { get; init; }

    public override IEnumerable<string> Validate()
    {
        foreach (var problem in base.Validate()) yield return problem;
        if (!(LearningRate > 0)) yield return $"learning_rate = {LearningRate}: must be > 0";
    }
}

/// <summary>Not registered (it lives in the test assembly); the engine tests drive it directly.</summary>
public sealed class ToyExperiment : Experiment<ToyConfig>
{
    /// <summary>When set, cancels the run's token source at this step (simulates Ctrl+C).</summary>
    public int? InterruptAtStep { get; init; }
    public CancellationTokenSource? Interrupter { get; init; }

    /// <summary>When set, throws at this (unit number from 0, step): a crash in the middle of a unit.</summary>
    public (int Unit, int Step)? CrashAt { get; init; }

    /// <summary>Steps actually computed by this instance (a resumed run computes fewer).</summary>
    public int StepsComputed { get; private set; }

    public override string Id => "toy";
    public override string Description => "Gradient descent on x².";
    public override string Source => "test";
    public override IReadOnlyList<string> KnownOptimizers => new[] { "gd", "gd-half" };
    public override IReadOnlyList<ClaimSpec> Claims => new[] { LossFalls };
    public override ToyConfig Paper => new() { Steps = 50, Seeds = 2, Optimizers = new[] { "gd", "gd-half" } };
    public override ToyConfig Quick => Paper with { Steps = 10 };

    private static readonly ClaimSpec LossFalls = new("loss-falls", "test", "GD reduces x².", "final / initial loss, mean over seeds", "ratio < 0.5");

    protected override IReadOnlyList<ClaimResult> Run(RunContext context, ToyConfig config)
    {
        var ratios = new List<double>();
        int unit = 0;
        foreach (var optimizer in config.Optimizers)
            foreach (var seed in config.SeedList)
            {
                int index = unit++;
                ratios.Add(context.Unit($"{optimizer}/seed-{seed}", () => Descend(context, config, optimizer, seed, index)));
            }
        Charts.Line(context, "loss", "Toy loss", "step", "x²",
            config.Optimizers.Select(o => new Series(o, context.Metrics.Series(o, config.Seed, "loss").Select(p => (double)p.Step).ToList(),
                context.Metrics.Series(o, config.Seed, "loss").Select(p => p.Value).ToList())), logY: true);
        double ratio = Stats.Mean(ratios);
        return new[] { LossFalls.Judge(double.IsFinite(ratio) ? ratio < 0.5 : null, new Dictionary<string, double> { ["ratio"] = ratio }) };
    }

    private double Descend(RunContext context, ToyConfig config, string optimizer, int seed, int unit)
    {
        double lr = optimizer == "gd-half" ? config.LearningRate / 2 : config.LearningRate;
        double x = 1 + new Random(seed).NextDouble();
        double initial = x * x;
        int start = 0;
        if (config.SaveState && context.TryResume(out var state))
        {
            var saved = File.ReadAllText(Path.Combine(state, "x.txt")).Split(' ');
            start = int.Parse(saved[0], CultureInfo.InvariantCulture);
            x = double.Parse(saved[1], CultureInfo.InvariantCulture);
        }
        using var bar = context.Progress.Start($"{optimizer} seed {seed}", config.Steps);
        for (int step = start; step < config.Steps; step++)
        {
            if (InterruptAtStep == step) Interrupter?.Cancel();
            if (CrashAt == (unit, step)) throw new InvalidOperationException("simulated crash");
            int next = step;
            double current = x;
            context.StepBoundary(config.SaveState
                ? dir => File.WriteAllText(Path.Combine(dir, "x.txt"), $"{next} {current.ToString("R", CultureInfo.InvariantCulture)}")
                : null);
            context.Metrics.Add(step, optimizer, seed, "loss", x * x);
            x -= lr * 2 * x;
            StepsComputed++;
            bar.Advance();
        }
        return x * x / initial;
    }
}
