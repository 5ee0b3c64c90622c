using MuonSharp.Lab.Experiments;
using MuonSharp.Lab.Runs;
using MuonSharp.Lab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Tests.Training;

public sealed class TrainingLoopTests
{
    private static readonly RegressionToy Toy = new();
    private static readonly RegressionToyConfig Config = Toy.Quick;

    private static RunContext Context() => new(Path.Combine(Path.GetTempPath(), "muonsharp-loop-plots"), SilentProgress.Instance, CancellationToken.None);

    /// <summary>One parameter w with loss ⟨w, g⟩: its gradient is the constant g, so each update is −lr·(clipped) g.</summary>
    private static (Parameter W, TrainingSetup Setup) Linear(string optimizer, double[] gradient)
    {
        var w = new Parameter(zeros(gradient.Length, dtype: ScalarType.Float64));
        var g = tensor(gradient);
        return (w, new TrainingSetup { Optimizer = optimizer, Seed = 0, Parameters = new[] { ("w", w) }, Loss = _ => (w * g).sum() });
    }

    [Fact]
    public void Evaluations_happen_at_every_multiple_of_the_cadence_and_after_the_last_update()
    {
        var (_, setup) = Linear("gd", new[] { 1.0 });
        var evaluated = new List<long>();
        var counting = new TrainingSetup { Optimizer = "gd", Seed = 0, Parameters = setup.Parameters, Loss = setup.Loss, Evaluate = t => { evaluated.Add(t); return new[] { ("t", (double)t) }; } };

        var run = TrainingLoop.Train(Context(), Config, counting, new TrainingOptions { Steps = 10, EvaluateEvery = 4 });

        Assert.Equal(new long[] { 0, 4, 8, 10 }, evaluated);
        Assert.Equal(new long[] { 0, 4, 8, 10 }, run.EvaluationSteps);
        Assert.Equal(new double[] { 0, 4, 8, 10 }, run.Series("t"));
        Assert.Equal(10, run.TrainingLoss.Count);
    }

    [Fact]
    public void Evaluations_are_recorded_with_the_prefix_unless_recording_is_off()
    {
        var context = Context();
        var (w, setup) = Linear("gd", new[] { 1.0 });
        var evaluating = new TrainingSetup { Optimizer = "gd", Seed = 3, Parameters = setup.Parameters, Loss = setup.Loss, Evaluate = _ => new[] { ("w", w.item<double>()) } };

        TrainingLoop.Train(context, Config, evaluating, new TrainingOptions { Steps = 2, MetricPrefix = "part/" });
        TrainingLoop.Train(context, Config, evaluating, new TrainingOptions { Steps = 2, Record = false });

        Assert.Equal(new[] { -0.0, -0.05, -0.1 }, context.Metrics.Series("gd", 3, "part/w").Select(p => Math.Round(p.Value, 12)));
        Assert.Equal(3, context.Metrics.Rows.Count);
    }

    [Fact]
    public void The_after_backward_callback_sees_the_gradients_and_a_stop_request_ends_the_run_after_that_evaluation()
    {
        var (w, setup) = Linear("gd", new[] { 2.0, 0.0 });
        var seen = new List<double>();
        var stopping = new TrainingSetup
        {
            Optimizer = "gd", Seed = 0, Parameters = setup.Parameters, Loss = setup.Loss,
            Evaluate = _ => new[] { ("w0", w[0].item<double>()) },
            AfterBackward = _ => seen.Add(w.grad![0].item<double>()),
            StopAfterEvaluation = run => run.Last("w0") <= -0.3,
        };

        var run = TrainingLoop.Train(Context(), Config, stopping, new TrainingOptions { Steps = 100 });

        Assert.Equal(new[] { 2.0, 2.0, 2.0 }, seen);                    // w0 = −0.1 per update, stops at −0.3
        Assert.Equal(new long[] { 0, 1, 2, 3 }, run.EvaluationSteps);
    }

    [Fact]
    public void Clipping_bounds_the_global_gradient_norm_of_every_update()
    {
        var (w, setup) = Linear("gd", new[] { 3.0, 4.0 });                // ‖g‖ = 5

        TrainingLoop.Train(Context(), Config, setup, new TrainingOptions { Steps = 1, ClipGradNorm = 1.0 });

        // gd_lr = 0.05 in the toy config; the clipped gradient has norm 1 and g's direction.
        Assert.Equal(new[] { -0.03, -0.04 }, w.data<double>().ToArray().Select(v => Math.Round(v, 6)));
    }

    [Fact]
    public void A_warm_up_schedule_sets_the_learning_rate_of_every_update()
    {
        var (w, setup) = Linear("gd", new[] { 1.0 });
        var positions = new List<double>();
        var scheduled = new TrainingSetup
        {
            Optimizer = "gd", Seed = 0, Parameters = setup.Parameters, Loss = setup.Loss,
            Evaluate = _ => { positions.Add(w.item<double>()); return Array.Empty<(string, double)>(); },
            Schedule = LearningRateSchedule.WarmupConstant(4),
        };

        TrainingLoop.Train(Context(), Config, scheduled, new TrainingOptions { Steps = 6 });

        var rates = positions.Zip(positions.Skip(1), (a, b) => Math.Round(a - b, 12)).ToList();
        Assert.Equal(new[] { 0.0125, 0.025, 0.0375, 0.05, 0.05, 0.05 }, rates);
    }

    [Fact]
    public void A_non_finite_training_loss_ends_the_run_where_it_happened()
    {
        var w = new Parameter(ones(1, dtype: ScalarType.Float64));
        var setup = new TrainingSetup { Optimizer = "gd", Seed = 0, Parameters = new[] { ("w", w) }, Loss = t => t == 3 ? w.sum() / 0.0 : w.sum() };

        var run = TrainingLoop.Train(Context(), Config, setup, new TrainingOptions { Steps = 10 });

        Assert.Equal(3, run.DivergedAt);
        Assert.Equal(3, run.TrainingLoss.Count);
        Assert.Equal(new long[] { 0, 1, 2, 3 }, run.EvaluationSteps);
    }

    [Fact]
    public void The_final_weights_of_every_run_are_saved_in_the_run_directory_and_load_back_exactly()
    {
        using var temp = new TempDirectory();
        LabRunner.Run(Toy, Config, temp.Path);
        using var trained = Toy.Setup(Config, Config.Seed, "muon");
        TrainingLoop.Train(Context(), Config, trained, RegressionToy.Options(Config) with { SaveWeights = false });

        using var fresh = Toy.Setup(Config, Config.Seed, "muon");
        ModelWeights.Load(Path.Combine(temp.Path, TrainingLoop.WeightsFileName("", "muon", Config.Seed)), fresh.Parameters.Select(p => (p.Name, (Tensor)p.Parameter)));

        foreach (var (name, file) in new[] { ("muon", 0), ("adamw", 0), ("muon", 1), ("adamw", 1) })
            Assert.True(File.Exists(Path.Combine(temp.Path, TrainingLoop.WeightsFileName("", name, file))), $"{name} seed {file}");
        foreach (var ((_, expected), (_, loaded)) in trained.Parameters.Zip(fresh.Parameters))
            Assert.True(expected.equal(loaded).all().item<bool>());
    }

    [Fact]
    public void A_weights_file_that_lacks_a_parameter_of_the_model_is_refused()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "w.bin");
        ModelWeights.Save(path, new[] { ("a", ones(2)) });

        var error = Assert.Throws<InvalidDataException>(() => ModelWeights.Load(path, new[] { ("a", zeros(2)), ("b", zeros(2)) }));

        Assert.Contains("lacks b", error.Message);
    }

    [Fact]
    public void The_after_step_callback_sees_the_weights_each_update_left()
    {
        var (w, setup) = Linear("gd", new[] { 1.0 });
        var seen = new List<(long Step, double W)>();
        var watching = new TrainingSetup { Optimizer = "gd", Seed = 0, Parameters = setup.Parameters, Loss = setup.Loss, AfterStep = t => seen.Add((t, w.item<double>())) };

        TrainingLoop.Train(Context(), Config, watching, new TrainingOptions { Steps = 3 });

        Assert.Equal(new[] { (0L, -0.05), (1L, -0.1), (2L, -0.15) }, seen.Select(p => (p.Step, Math.Round(p.W, 12))));
    }

    [Fact]
    public void Momentum_warm_up_drives_the_muon_family_from_0_85_to_its_own_momentum_and_picks_up_where_a_resumed_run_stopped()
    {
        var config = new TableConfig { MuonMomentum = 0.95, MomentumWarmupSteps = 10 };
        using var muon = OptimizerTable.Create("muon", new[] { ("w", new Parameter(ones(3, 2))) }, config);
        using var adamw = OptimizerTable.Create("adamw", new[] { ("w", new Parameter(ones(3, 2))) }, config);

        var fresh = TrainingLoop.MomentumWarmup(config, "muon", muon, 0.95, start: 0)!;
        Assert.Equal(0.85, ((optim.IMomentum)muon).Momentum, 12);
        var resumed = TrainingLoop.MomentumWarmup(config, "muon", muon, 0.95, start: 4)!;
        Assert.Equal(0.89, resumed.CurrentMomentum, 12);
        Assert.Equal(0.89, ((optim.IMomentum)muon).Momentum, 12);
        for (int t = 4; t < 12; t++) resumed.step();
        Assert.Equal(0.95, ((optim.IMomentum)muon).Momentum, 12);
        Assert.Equal(0.85, fresh.MomentumAt(0), 12);
        Assert.Null(TrainingLoop.MomentumWarmup(config, "adamw", adamw, null, start: 0));
        Assert.Null(TrainingLoop.MomentumWarmup(config with { MomentumWarmupSteps = 0 }, "muon", muon, 0.95, start: 0));
    }

    [Fact]
    public void Momentum_warm_up_changes_a_muon_run_and_its_log_says_so()
    {
        using var temp = new TempDirectory();
        var muonOnly = Config with { Optimizers = new[] { "muon" }, Seeds = 1 };

        LabRunner.Run(Toy, muonOnly, temp.Sub("plain"));
        LabRunner.Run(Toy, muonOnly with { MomentumWarmupSteps = 8 }, temp.Sub("warm-up"));

        Assert.NotEqual(File.ReadAllBytes(Path.Combine(temp.Sub("plain"), "metrics.csv")), File.ReadAllBytes(Path.Combine(temp.Sub("warm-up"), "metrics.csv")));
        Assert.Contains("momentum rises from 0.85 to 0.95 over the first 8 steps",   // the config has no muon_momentum: the table's 0.95
            File.ReadAllText(Path.Combine(temp.Sub("warm-up"), "log.txt")));
        Assert.DoesNotContain("momentum rises", File.ReadAllText(Path.Combine(temp.Sub("plain"), "log.txt")));
    }

    [Theory]
    [InlineData("muon", 0)]
    [InlineData("normuon", 8)]
    public void A_run_interrupted_mid_unit_resumes_from_its_saved_state_to_the_same_metrics_weights_and_claims(string spectral, int momentumWarmup)
    {
        using var temp = new TempDirectory();
        var config = Config with { Optimizers = new[] { spectral, "adamw" }, MomentumWarmupSteps = momentumWarmup };
        var whole = LabRunner.Run(Toy, config, temp.Sub("whole"));
        var dir = temp.Sub("interrupted");
        using var interrupter = new CancellationTokenSource();
        var stopped = new RegressionToy { InterruptAt = (1, spectral, 5), Interrupter = interrupter };
        var everyStep = new RunOptions { CheckpointInterval = TimeSpan.Zero };

        var first = LabRunner.Run(stopped, config, dir, everyStep with { Cancellation = interrupter.Token });
        var resumed = new RegressionToy();
        var second = LabRunner.Run(resumed, config, dir, everyStep with { Resume = true });

        Assert.Equal(RunStatus.Interrupted, first.Status);
        Assert.Equal(RunStatus.Completed, second.Status);
        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Sub("whole"), "metrics.csv")), File.ReadAllBytes(Path.Combine(dir, "metrics.csv")));
        Assert.Equal(whole.Claims.Single().Measured["ratio"], second.Claims.Single().Measured["ratio"]);
        foreach (int seed in config.SeedList)
            foreach (var optimizer in config.Optimizers)
            {
                var file = TrainingLoop.WeightsFileName("", optimizer, seed);
                Assert.Equal(File.ReadAllBytes(Path.Combine(temp.Sub("whole"), file)), File.ReadAllBytes(Path.Combine(dir, file)));
            }
        // Units (0, spectral) and (0, adamw) were finished; (1, spectral) continued from its state before update 6.
        Assert.Equal(config.Steps - 6 + config.Steps, resumed.UpdatesComputed);
    }
}
