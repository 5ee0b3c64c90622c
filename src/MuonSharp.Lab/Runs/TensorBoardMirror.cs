using TorchSharp;

namespace MuonSharp.Lab.Runs;

/// <summary>Mirrors every metric to TensorBoard event files (TorchSharp's SummaryWriter), tagged optimizer/seed/metric.</summary>
internal sealed class TensorBoardMirror : IDisposable
{
    private readonly TorchSharp.Modules.SummaryWriter _writer;
    private readonly MetricsRecorder _metrics;

    public TensorBoardMirror(string directory, MetricsRecorder metrics)
    {
        Directory.CreateDirectory(directory);
        _writer = torch.utils.tensorboard.SummaryWriter(directory);
        _metrics = metrics;
        _metrics.Mirror = row => _writer.add_scalar($"{row.Optimizer}/seed{row.Seed}/{row.Metric}", (float)row.Value, (int)row.Step);
    }

    public void Dispose() => _metrics.Mirror = null;
}
