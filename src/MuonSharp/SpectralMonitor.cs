using System.Globalization;
using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp;

/// <summary>
/// Measures, layer by layer while a model trains, whether a spectral update (Muon) or a Euclidean one
/// (SGD/AdamW) is favored by the layerwise condition nr(G) ≥ st(A) (<c>004 §3</c>), together with the
/// weight spectra, the size of each update and how exact Muon's Newton–Schulz is.
/// <code>
/// using var monitor = SpectralMonitor.Attach(model, every: 50, optimizer: opt);
/// // per step: forward, loss.backward(), then
/// monitor.Record(step);
/// opt.step();
/// // at the end
/// monitor.PrintAdvice();
/// monitor.WriteCsv("spectral.csv");
/// </code>
/// </summary>
/// <remarks>
/// <para><b>Activations.</b> Forward hooks on every module that owns a ≥ 2-D <c>weight</c> capture its
/// input (Linear; Conv2d as unfolded patches; any module applying its weight to the last dimension).
/// Hooks fire when a module is invoked through <c>call</c>/<c>forward</c> of TorchSharp's hook machinery
/// (<c>module.call(x)</c>, <c>Sequential</c>). Only training-mode forwards with gradients enabled are
/// captured; evaluation forwards are ignored. Under gradient accumulation the inputs of all micro-batches
/// since the last <see cref="Record"/> are <b>pooled</b> (concatenated along the sample dimension): the
/// accumulated gradient is G = Σ over those micro-batches, so the pooled matrix is the A that goes with it.
/// Capturing keeps references, not copies; the matrices are formed only on observed steps.</para>
/// <para><b>Randomness.</b> Two estimates are randomized, both from the monitor's own generators seeded
/// at <see cref="Attach"/>, so attaching the monitor never draws from the user's random stream: the power
/// iteration for ‖A‖_op in st(A), and the choice of the Muon layer whose Newton–Schulz error is measured.
/// Everything else is exact (float64 eigenvalues of Gram matrices). The monitor reads parameters and
/// gradients and never writes them: training numbers are identical with and without it.</para>
/// <para><b>Updates.</b> On an observed step the monitor keeps a copy of each weight; at the next
/// <see cref="Record"/> (which must be the next step) it measures the change the optimizer made and files
/// it under the observed step. Call <see cref="Record"/> every step, after <c>backward()</c> and before <c>step()</c>.</para>
/// </remarks>
public sealed partial class SpectralMonitor : IDisposable
{
    /// <summary>Default cadence: one observation every 50 steps.</summary>
    public const int DefaultEvery = 50;

    /// <summary>The layer name of rows that describe the whole model (the Hessian metrics).</summary>
    public const string ModelLayer = "(model)";

    private readonly List<SpectralMonitorLayer> _layers;
    private readonly List<(string name, Parameter parameter)> _allParameters;
    private readonly int _every;
    private readonly optim.Optimizer? _optimizer;
    private readonly SummaryWriter? _tensorboard;
    private readonly Func<Tensor>? _hessianLoss;
    private readonly int _hessianEvery;
    private readonly Generator _generator;
    private readonly Random _sampler;
    private readonly List<SpectralMonitorRow> _rows = new();
    private readonly Dictionary<string, int> _rowsWrittenTo = new();
    private long? _observedStep;
    private bool _capturing = true;
    private bool _disposed;

    private SpectralMonitor(List<SpectralMonitorLayer> layers, List<(string name, Parameter parameter)> allParameters, int every, optim.Optimizer? optimizer,
        SummaryWriter? tensorboard, Func<Tensor>? hessianLoss, int hessianEvery, int seed)
    {
        _layers = layers;
        _allParameters = allParameters;
        _every = every;
        _optimizer = optimizer;
        _tensorboard = tensorboard;
        _hessianLoss = hessianLoss;
        _hessianEvery = hessianEvery;
        _generator = new Generator((ulong)seed);
        _sampler = new Random(seed);
    }

    /// <summary>
    /// Attaches a monitor to <paramref name="model"/>: every parameter with ≥ 2 dimensions becomes a
    /// monitored layer, named as in <c>named_parameters()</c> (e.g. <c>fc1.weight</c>).
    /// </summary>
    /// <param name="model">The model; hooks are added to its modules and removed by <see cref="Dispose"/>.</param>
    /// <param name="every">Observe steps that are multiples of this (≥ 1).</param>
    /// <param name="optimizer">The optimizer; when it is <see cref="Muon"/> or <see cref="MuonWithAuxAdamW"/>,
    /// <c>ns_orthogonality_error</c> is measured, and the hybrid's routing is shown in the advice.</param>
    /// <param name="tensorboard">When given, every row is also written as a scalar <c>layer/metric</c>.</param>
    /// <param name="hessianLoss">When given with <paramref name="hessianEvery"/>, a closure computing the loss on a
    /// fixed batch: the top eigenvalue and the Hutchinson trace of its Hessian with respect to the monitored weights are
    /// measured (<see cref="Spectral.HessianTopEigenvalue"/>, <see cref="Spectral.HessianTraceHutchinson"/>). It should not draw random numbers.</param>
    /// <param name="hessianEvery">Measure the Hessian on steps that are multiples of this (≥ 1 when <paramref name="hessianLoss"/> is given).</param>
    /// <param name="seed">Seed of the monitor's own generators.</param>
    /// <returns>The monitor; dispose it to remove the hooks.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="every"/> or <paramref name="hessianEvery"/> out of range.</exception>
    /// <exception cref="ArgumentException">The model has no parameter with ≥ 2 dimensions.</exception>
    public static SpectralMonitor Attach(nn.Module model, int every = DefaultEvery, optim.Optimizer? optimizer = null,
        SummaryWriter? tensorboard = null, Func<Tensor>? hessianLoss = null, int hessianEvery = 0, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (every < 1) throw new ArgumentOutOfRangeException(nameof(every), every, "every must be ≥ 1 (observe every n-th step).");
        if (hessianLoss is not null && hessianEvery < 1)
            throw new ArgumentOutOfRangeException(nameof(hessianEvery), hessianEvery, "hessianEvery must be ≥ 1 when a Hessian loss is given.");

        var owners = WeightOwners(model);
        SpectralMonitor? monitor = null;
        var layers = new List<SpectralMonitorLayer>();
        foreach (var (name, parameter) in model.named_parameters())
            if (parameter.dim() >= 2)
                layers.Add(new SpectralMonitorLayer(name, parameter, owners.GetValueOrDefault(name), () => monitor!._capturing));
        if (layers.Count == 0)
            throw new ArgumentException("The model has no parameter with 2 or more dimensions; the monitor measures matrices (Linear, Conv2d, …).", nameof(model));
        monitor = new SpectralMonitor(layers, model.named_parameters().ToList(), every, optimizer, tensorboard, hessianLoss, hessianEvery, seed);
        return monitor;
    }

    /// <summary>Parameter name → the module that owns it as its <c>weight</c>, for modules mapping one tensor to one tensor.</summary>
    private static Dictionary<string, nn.Module<Tensor, Tensor>> WeightOwners(nn.Module model)
    {
        var owners = new Dictionary<string, nn.Module<Tensor, Tensor>>();
        var modules = new List<(string name, nn.Module module)> { ("", model) };
        modules.AddRange(model.named_modules());
        foreach (var (moduleName, module) in modules)
        {
            if (module is not nn.Module<Tensor, Tensor> mapping || module is Embedding) continue;   // an embedding's input is indices
            foreach (var (parameterName, _) in module.named_parameters(recurse: false))
                if (parameterName == "weight")
                    owners[moduleName.Length == 0 ? "weight" : $"{moduleName}.weight"] = mapping;
        }
        return owners;
    }

    /// <summary>The monitored layers' names, in <c>named_parameters()</c> order.</summary>
    public IReadOnlyList<string> Layers => _layers.Select(l => l.Name).ToList();

    /// <summary>Every measurement so far, one row per (step, layer, metric).</summary>
    public IReadOnlyList<SpectralMonitorRow> Rows => _rows;

    /// <summary>The cadence: steps that are multiples of it are observed.</summary>
    public int Every => _every;

    /// <summary>
    /// Call once per step, after <c>backward()</c> and before <c>optimizer.step()</c>. On steps that are
    /// multiples of the cadence it measures every layer; on the step after one it measures the update
    /// the optimizer made; otherwise it only forgets the captured activations.
    /// </summary>
    /// <param name="step">The step number; consecutive calls should increase it by one.</param>
    public void Record(long step)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int before = _rows.Count;
        _capturing = false;   // the monitor's own computations (and the Hessian closure) must not be captured
        try
        {
            if (_observedStep is long observed && step == observed + 1) RecordUpdates(observed);
            foreach (var layer in _layers) layer.DropObservedWeight();
            _observedStep = null;

            if (step % _every == 0)
            {
                foreach (var layer in _layers) RecordLayer(step, layer);
                RecordNewtonSchulzError(step);
                if (_hessianLoss is not null && step % _hessianEvery == 0) RecordHessian(step, _hessianLoss);
                _observedStep = step;
            }
        }
        finally
        {
            foreach (var layer in _layers) layer.ClearActivations();
            _capturing = true;
        }
        for (int i = before; i < _rows.Count; i++)
            _tensorboard?.add_scalar($"{_rows[i].Layer}/{_rows[i].Metric}", (float)_rows[i].Value, checked((int)_rows[i].Step));
    }

    private void Add(long step, string layer, string metric, double value) => _rows.Add(new SpectralMonitorRow(step, layer, metric, value));

    private void RecordLayer(long step, SpectralMonitorLayer layer)
    {
        using var scope = NewDisposeScope();
        double? stableRankA = null, nuclearRankG = null;
        var activationGram = layer.PooledActivationGram();
        if (activationGram is not null)
        {
            stableRankA = Spectral.StableRankOfGram(activationGram, _generator);
            Add(step, layer.Name, SpectralMetrics.StableRankA, stableRankA.Value);
        }
        if (layer.Weight.grad is { } gradient)
        {
            nuclearRankG = Spectral.NuclearRankOf(Spectral.SingularValuesViaGram(gradient));
            Add(step, layer.Name, SpectralMetrics.NuclearRankG, nuclearRankG.Value);
        }
        if (stableRankA is double st && nuclearRankG is double nr)
            Add(step, layer.Name, SpectralMetrics.ConditionRatio, Spectral.LayerwiseConditionFrom(nr, st).Ratio);

        var weightSpectrum = Spectral.SingularValuesViaGram(layer.Weight);
        Add(step, layer.Name, SpectralMetrics.StableRankW, Spectral.StableRankOf(weightSpectrum));
        Add(step, layer.Name, SpectralMetrics.EffectiveRankW, Spectral.EffectiveRankOf(weightSpectrum));
        Add(step, layer.Name, SpectralMetrics.SigmaMaxW, weightSpectrum.Length == 0 ? 0 : weightSpectrum[0]);
        layer.KeepObservedWeight();
    }

    private void RecordUpdates(long observedStep)
    {
        foreach (var layer in _layers)
        {
            if (layer.ObservedWeight is not { } before) continue;
            using var scope = NewDisposeScope();
            using var s = new HeldScalars();
            var update = layer.Weight.detach().add(before, s[-1]);                      // W_after − W_before
            double frobenius = update.to(ScalarType.Float64).norm().item<double>();
            Add(observedStep, layer.Name, SpectralMetrics.UpdateRms, frobenius / Math.Sqrt(update.numel()));
            var spectrum = Spectral.SingularValuesViaGram(update);
            Add(observedStep, layer.Name, SpectralMetrics.UpdateSpectralNorm, spectrum.Length == 0 ? 0 : spectrum[0]);
        }
    }

    private void RecordHessian(long step, Func<Tensor> loss)
    {
        var parameters = _layers.Select(l => l.Weight).Where(p => p.requires_grad).ToList();
        long seed = _sampler.NextInt64();
        Add(step, ModelLayer, SpectralMetrics.HessianTopEigenvalue, Spectral.HessianTopEigenvalue(loss, parameters, iterations: 20, seed: seed));
        Add(step, ModelLayer, SpectralMetrics.HessianTrace, Spectral.HessianTraceHutchinson(loss, parameters, samples: 10, seed: seed));
    }

    /// <summary>
    /// Writes the rows not yet written to <paramref name="path"/> (header <c>step,layer,metric,value</c> when the
    /// file is new or empty), so calling it every few steps streams a long run to disk.
    /// </summary>
    /// <param name="path">The CSV file.</param>
    public void WriteCsv(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        int written = _rowsWrittenTo.GetValueOrDefault(fullPath);
        bool needsHeader = !File.Exists(fullPath) || new FileInfo(fullPath).Length == 0;
        using (var writer = new StreamWriter(fullPath, append: true))
        {
            if (needsHeader) writer.WriteLine("step,layer,metric,value");
            for (int i = written; i < _rows.Count; i++)
            {
                var row = _rows[i];
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row.Step},{CsvField(row.Layer)},{row.Metric},{row.Value:R}"));
            }
        }
        _rowsWrittenTo[fullPath] = _rows.Count;
    }

    private static string CsvField(string text) =>
        text.IndexOfAny([',', '"', '\n']) < 0 ? text : $"\"{text.Replace("\"", "\"\"")}\"";

    /// <summary>Removes the hooks and frees the captured activations and kept weights. Rows stay readable.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var layer in _layers) layer.Dispose();
        _generator.Dispose();
    }
}

/// <summary>One measurement: at <paramref name="Step"/>, <paramref name="Metric"/> of <paramref name="Layer"/> was <paramref name="Value"/>.</summary>
/// <param name="Step">The training step observed.</param>
/// <param name="Layer">The weight's <c>named_parameters()</c> name, or <see cref="SpectralMonitor.ModelLayer"/>.</param>
/// <param name="Metric">One of <see cref="SpectralMetrics"/>.</param>
/// <param name="Value">The value.</param>
public readonly record struct SpectralMonitorRow(long Step, string Layer, string Metric, double Value);
