using static TorchSharp.torch;

namespace MuonSharp;

/// <summary>
/// Buffers for <see cref="Orthogonalize.GramFactor"/>, allocated at the first use of each size and
/// reused at every later step. Owned by an optimizer and passed to the Orthogonalize functions
/// explicitly, so those stay pure; a tensor it hands out is valid until its next use.
/// </summary>
internal sealed class NewtonSchulzWorkspace : IDisposable
{
    /// <summary>The six m×m float32 matrices of one Gram iteration.</summary>
    internal sealed record GramBuffers(Tensor S, Tensor R, Tensor P, Tensor Q, Tensor Next, Tensor T);

    private readonly Dictionary<long, GramBuffers> _gram = new();

    /// <summary>The buffers for an m×m Gram iteration.</summary>
    public GramBuffers Gram(long m)
    {
        if (_gram.TryGetValue(m, out var buffers)) return buffers;
        Tensor New() => empty(new[] { m, m }, ScalarType.Float32).DetachFromDisposeScope();
        buffers = new GramBuffers(New(), New(), New(), New(), New(), New());
        _gram[m] = buffers;
        return buffers;
    }

    /// <summary>Frees every buffer.</summary>
    public void Dispose()
    {
        foreach (var b in _gram.Values)
            foreach (var t in new[] { b.S, b.R, b.P, b.Q, b.Next, b.T }) t.Dispose();
        _gram.Clear();
    }
}
