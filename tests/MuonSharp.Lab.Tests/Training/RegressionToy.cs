using MuonSharp.Lab.Claims;
using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Training;

/// <summary>Settings of <see cref="RegressionToy"/>: every optimizer key it may use, a schedule, clipping.</summary>
public sealed record RegressionToyConfig : ExperimentConfig
{
    public RegressionToyConfig()
    {
        Steps = 12;
        Seeds = 2;
        Optimizers = new[] { "muon", "adamw" };
    }

    public double MuonLr { get; init; } = 0.05;
    public double AdamwLr { get; init; } = 0.05;
    public double SgdLr { get; init; } = 0.05;
    public double GdLr { get; init; } = 0.05;
    public int EvalEvery { get; init; } = 3;
    public int BatchSize { get; init; } = 8;
    public int WarmupSteps { get; init; } = 3;
    public double ClipGradNorm { get; init; } = 1.0;
}

/// <summary>
/// A two-layer network with a bias fitting a planted linear map from mini-batches, through the lab's loop:
/// every piece of state a resumed run must restore is here (Muon's and AdamW's moments, the batch order
/// stream, the warm-up schedule, the step counter). Not registered: tests drive it through <see cref="LabRunner"/>.
/// </summary>
public sealed class RegressionToy : Experiment<RegressionToyConfig>
{
    /// <summary>When set, cancels <see cref="Interrupter"/> inside this (seed, optimizer, step): a Ctrl+C mid-unit.</summary>
    public (int Seed, string Optimizer, long Step)? InterruptAt { get; init; }
    public CancellationTokenSource? Interrupter { get; init; }

    /// <summary>Updates this instance computed (a resumed run computes fewer).</summary>
    public int UpdatesComputed { get; private set; }

    public override string Id => "regression-toy";
    public override string Description => "Mini-batch regression through the training loop.";
    public override string Source => "test";
    public override IReadOnlyList<string> KnownOptimizers => OptimizerTable.Names;
    public override IReadOnlyList<ClaimSpec> Claims => new[] { Fits };
    public override RegressionToyConfig Paper => new();
    public override RegressionToyConfig Quick => new();

    private static readonly ClaimSpec Fits = new("fits", "test", "The loss falls.", "final / first evaluation loss, mean over runs", "ratio < 1");

    protected override IReadOnlyList<ClaimResult> Run(RunContext context, RegressionToyConfig config)
    {
        var runs = TrainingLoop.Run(context, config, Options(config), (seed, optimizer) => Setup(config, seed, optimizer));
        double ratio = MuonSharp.Lab.Analysis.Stats.Mean(runs.Select(r => r.Last("loss") / r.Series("loss")[0]));
        return new[] { Fits.Judge(ratio < 1, new Dictionary<string, double> { ["ratio"] = ratio }) };
    }

    public static TrainingOptions Options(RegressionToyConfig config) => new()
    {
        Steps = config.Steps, EvaluateEvery = config.EvalEvery, ClipGradNorm = config.ClipGradNorm, SaveWeights = true,
    };

    public TrainingSetup Setup(RegressionToyConfig config, int seed, string optimizer)
    {
        var dataGenerator = SeedStreams.Generator(seed, "data");
        var x = randn(64, 6, generator: dataGenerator);                                     // [n, d]
        var y = x.matmul(randn(6, 3, generator: dataGenerator));                             // [n, c]
        var initGenerator = SeedStreams.Generator(seed, "init");
        var w1 = new Parameter(randn(8, 6, generator: initGenerator) * 0.3);
        var b1 = new Parameter(zeros(8));
        var w2 = new Parameter(randn(3, 8, generator: initGenerator) * 0.3);
        var batches = SeedStreams.Generator(seed, "batches");
        Tensor Forward(Tensor input) => (input.matmul(w1.t()) + b1).relu().matmul(w2.t());
        return new TrainingSetup
        {
            Optimizer = optimizer,
            Seed = seed,
            Parameters = new[] { ("hidden.weight", w1), ("hidden.bias", b1), ("head.weight", w2) },
            Loss = step =>
            {
                var index = randint(0, x.shape[0], new long[] { config.BatchSize }, generator: batches);
                return (Forward(x.index_select(0, index)) - y.index_select(0, index)).square().mean();
            },
            Evaluate = _ => new[] { ("loss", (Forward(x) - y).square().mean().item<float>() + 0.0) },
            AfterBackward = step =>
            {
                UpdatesComputed++;
                if (InterruptAt == (seed, optimizer, step)) Interrupter?.Cancel();
            },
            Schedule = LearningRateSchedule.WarmupCosine(config.WarmupSteps, config.Steps),
            Generators = new[] { ("batches", batches) },
            Owned = new IDisposable[] { dataGenerator, initGenerator, batches, x, y, w1, b1, w2 },
        };
    }
}
