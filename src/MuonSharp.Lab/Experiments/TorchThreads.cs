using TorchSharp;

namespace MuonSharp.Lab.Experiments;

/// <summary>
/// Limits libtorch's intra-op threads for the duration of a run and restores the previous count.
/// Experiments on tiny matrices (tens of rows) gain nothing from parallel kernels and lose a lot to
/// thread synchronization, especially on a busy machine: on 2 shared cores the routing task ran
/// about 10× slower with 2 threads than with 1.
/// </summary>
internal sealed class TorchThreads : IDisposable
{
    private readonly int _previous;

    private TorchThreads(int threads)
    {
        _previous = torch.get_num_threads();
        torch.set_num_threads(threads);
    }

    /// <summary>Uses <paramref name="threads"/> intra-op threads until disposed.</summary>
    /// <param name="threads">Thread count, ≥ 1.</param>
    public static TorchThreads Limit(int threads) => new(threads);

    /// <inheritdoc />
    public void Dispose() => torch.set_num_threads(_previous);
}
