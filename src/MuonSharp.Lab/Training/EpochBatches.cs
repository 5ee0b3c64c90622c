using static TorchSharp.torch;

namespace MuonSharp.Lab.Training;

/// <summary>
/// Mini-batches of a fixed training set, epoch by epoch: epoch e visits every example once in the order of a
/// permutation drawn from the seed's <c>batches/epoch{e}</c> stream. Step t's batch depends only on (seed, t),
/// so every optimizer of a seed sees the same batches and a resumed run needs no generator state. The last
/// batch of an epoch may be smaller.
/// </summary>
public sealed class EpochBatches : IDisposable
{
    private readonly Tensor _images, _labels;
    private readonly int _batchSize, _seed;
    private Tensor? _order;
    private int _orderEpoch = -1;

    /// <summary>Batches of <paramref name="images"/> (not owned) for <paramref name="seed"/>.</summary>
    /// <param name="images">The training examples, first dimension the example.</param>
    /// <param name="labels">Their labels.</param>
    /// <param name="batchSize">Examples per batch, ≥ 1.</param>
    /// <param name="seed">Whose permutations.</param>
    public EpochBatches(Tensor images, Tensor labels, int batchSize, int seed)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "A batch needs at least one example.");
        if (images.shape[0] != labels.shape[0] || labels.shape[0] == 0)
            throw new ArgumentException($"{images.shape[0]} examples and {labels.shape[0]} labels: need as many labels as examples, at least one.", nameof(labels));
        (_images, _labels, _batchSize, _seed) = (images, labels, batchSize, seed);
        BatchesPerEpoch = (int)((labels.shape[0] + batchSize - 1) / batchSize);
    }

    /// <summary>Steps per pass over the training set.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>The examples of step <paramref name="step"/>'s batch, and their labels (both in the caller's dispose scope).</summary>
    /// <param name="step">The step, from 0.</param>
    /// <param name="labels">The batch's labels.</param>
    public Tensor Take(long step, out Tensor labels)
    {
        int epoch = (int)(step / BatchesPerEpoch), index = (int)(step % BatchesPerEpoch);
        if (epoch != _orderEpoch)
        {
            _order?.Dispose();
            using var generator = SeedStreams.Generator(_seed, $"batches/epoch{epoch}");
            _order = randperm(_labels.shape[0], generator: generator).DetachFromDisposeScope();
            _orderEpoch = epoch;
        }
        long start = (long)index * _batchSize;
        var rows = _order!.narrow(0, start, Math.Min(_batchSize, _labels.shape[0] - start));
        labels = _labels.index_select(0, rows);
        return _images.index_select(0, rows);
    }

    /// <inheritdoc />
    public void Dispose() => _order?.Dispose();
}
