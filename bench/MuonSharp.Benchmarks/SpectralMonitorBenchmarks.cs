using BenchmarkDotNet.Attributes;
using MuonSharp.Lab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Benchmarks;

/// <summary>
/// The cost of <see cref="SpectralMonitor"/> at its default cadence: one call is
/// <see cref="SpectralMonitor.DefaultEvery"/> training steps (forward, backward, Muon + AdamW step) of a
/// model, without the monitor and with it (so exactly one observed step and one update measurement per
/// call). The ratio of the two rows is the monitor's overhead; the limit is 1.05 (issue "SpectralMonitor").
/// Models: the MNIST CNN (batch 64 of random 28×28 images) and the char GPT (4 layers, width 128,
/// context 64, batch 16 of random tokens). Random data: the cost does not depend on the values.
/// </summary>
[ShortInProcessJob]
public class SpectralMonitorBenchmarks
{
    private nn.Module<Tensor, Tensor>? _model;
    private optim.Optimizer? _optimizer;
    private SpectralMonitor? _monitor;
    private Tensor? _inputs, _targets;
    private Func<Tensor, Tensor, Tensor>? _loss;
    private long _step;

    /// <summary>The model: <c>mnist-cnn</c> or <c>char-gpt</c>.</summary>
    [Params("mnist-cnn", "char-gpt")]
    public string Model { get; set; } = "mnist-cnn";

    /// <summary>Builds the model, its data and the hybrid optimizer; with <paramref name="monitored"/>, attaches the monitor.</summary>
    private void Prepare(bool monitored)
    {
        manual_seed(0);
        var data = new Generator(1);
        if (Model == "mnist-cnn")
        {
            _model = new Lab.Models.MnistCnn();
            _inputs = rand(new long[] { 64, 1, 28, 28 }, generator: data);
            _targets = randint(0, 10, new long[] { 64 }, generator: data);
            _loss = (logits, labels) => nn.functional.cross_entropy(logits, labels);
        }
        else
        {
            _model = new CharGpt(vocabulary: 128, context: 64, width: 128, layers: 4, heads: 4);
            _inputs = randint(0, 128, new long[] { 16, 64 }, generator: data);
            _targets = randint(0, 128, new long[] { 16, 64 }, generator: data);
            _loss = (logits, labels) => nn.functional.cross_entropy(logits.view(-1, logits.shape[^1]), labels.view(-1));
        }
        _optimizer = Optim.MuonWithAuxAdamW(_model.named_parameters(), lr: 0.02, adamw_lr: 1e-3);
        _monitor = monitored ? SpectralMonitor.Attach(_model, optimizer: _optimizer) : null;
        _step = 0;
        Steps();   // warm-up: optimizer state exists, the monitor has observed once
    }

    /// <summary>Without the monitor.</summary>
    [GlobalSetup(Target = nameof(Training))]
    public void SetupTraining() => Prepare(monitored: false);

    /// <summary>With the monitor at its default cadence.</summary>
    [GlobalSetup(Target = nameof(TrainingMonitored))]
    public void SetupTrainingMonitored() => Prepare(monitored: true);

    /// <summary><see cref="SpectralMonitor.DefaultEvery"/> training steps.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = SpectralMonitor.DefaultEvery)]
    public void Training() => Steps();

    /// <summary><see cref="SpectralMonitor.DefaultEvery"/> training steps, each followed by <c>Record</c>.</summary>
    [Benchmark(OperationsPerInvoke = SpectralMonitor.DefaultEvery)]
    public void TrainingMonitored() => Steps();

    private void Steps()
    {
        for (int i = 0; i < SpectralMonitor.DefaultEvery; i++, _step++)
        {
            using var scope = NewDisposeScope();
            _optimizer!.zero_grad();
            _loss!(_model!.call(_inputs!), _targets!).backward();
            _monitor?.Record(_step);
            _optimizer.step();
        }
    }

    /// <summary>Frees the model, its optimizer, the monitor and the data.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _monitor?.Dispose();
        _optimizer?.Dispose();
        _model?.Dispose();
        _inputs?.Dispose();
        _targets?.Dispose();
    }
}
