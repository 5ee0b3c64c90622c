using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp;

/// <summary>
/// QK-clip, the "Clip" of MuonClip (Kimi Team 2025, "Kimi K2: Open Agentic Intelligence", arXiv
/// 2507.20534, §2.1): with Muon, attention logits of some heads can grow without bound. After each
/// optimizer step, every head h whose largest pre-softmax logit on the batch,
/// S_max = maxᵢⱼ qᵢ·kⱼ/√d, exceeds the threshold τ has its query and key weights multiplied by √γ with
/// γ = τ/S_max, so the same batch would now peak at exactly τ; heads below τ are left alone. The forward
/// and backward passes do not change: attention modules <see cref="Report"/> their logits to this
/// component, and <see cref="Apply"/> runs after <c>optimizer.step()</c>.
/// <para>
/// Exact for multi-head attention whose query and key projections have no bias (nanoGPT's layout; a bias
/// would also need scaling). Kimi K2's MLA variant (rotary parts scaled differently) is not provided. In a
/// stack of layers, clipping one layer changes the inputs of the layers after it, so each layer's bound is
/// exact for the inputs its logits were measured on.
/// </para>
/// </summary>
public sealed class QkClip
{
    /// <summary>τ = 100, the threshold Kimi K2 was trained with (Kimi Team 2025, §2.1).</summary>
    public const double KimiK2Threshold = 100;

    private readonly Dictionary<string, Attention> _attentions = new(StringComparer.Ordinal);

    /// <summary>Creates the component with threshold <paramref name="threshold"/>.</summary>
    /// <param name="threshold">τ &gt; 0: the largest logit a head may keep.</param>
    public QkClip(double threshold = KimiK2Threshold)
    {
        if (!(double.IsFinite(threshold) && threshold > 0))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"Invalid threshold: {threshold.ToString(CultureInfo.InvariantCulture)}. Accepted: a finite number > 0.");
        Threshold = threshold;
    }

    /// <summary>τ.</summary>
    public double Threshold { get; }

    /// <summary>
    /// Registers one attention module: its query projection is <paramref name="rows"/> rows of
    /// <paramref name="query"/> from <paramref name="queryOffset"/>, its key projection as many rows of
    /// <paramref name="key"/> from <paramref name="keyOffset"/> (the same tensor with offsets 0 and width for a
    /// fused qkv weight [3·width, width]); the rows are <paramref name="heads"/> consecutive blocks, one per head.
    /// </summary>
    /// <param name="name">The name the module reports under (its parameter prefix, say).</param>
    /// <param name="query">The weight holding the query projection [.., in].</param>
    /// <param name="key">The weight holding the key projection.</param>
    /// <param name="heads">Number of heads, ≥ 1, dividing <paramref name="rows"/>.</param>
    /// <param name="rows">Rows of each projection (heads × head dimension); the query weight's first dimension when ≤ 0.</param>
    /// <param name="queryOffset">First query row.</param>
    /// <param name="keyOffset">First key row.</param>
    public void Register(string name, Parameter query, Parameter key, int heads, long rows = 0, long queryOffset = 0, long keyOffset = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        if (rows <= 0) rows = query.shape[0];
        if (heads < 1 || rows % heads != 0)
            throw new ArgumentOutOfRangeException(nameof(heads), heads, $"Invalid heads: {heads} for {rows} rows. Accepted: an integer ≥ 1 that divides the rows.");
        if (queryOffset < 0 || queryOffset + rows > query.shape[0] || keyOffset < 0 || keyOffset + rows > key.shape[0])
            throw new ArgumentOutOfRangeException(nameof(rows), rows,
                $"Invalid rows {rows} at query offset {queryOffset} and key offset {keyOffset}: the weights have {query.shape[0]} and {key.shape[0]} rows.");
        if (!_attentions.TryAdd(name, new Attention(query, key, heads, rows, queryOffset, keyOffset)))
            throw new ArgumentException($"An attention module named '{name}' is already registered.", nameof(name));
    }

    /// <summary>
    /// Records the logits of a registered module for the current step: the scores softmax receives,
    /// [..., heads, queries, keys] (scaled by 1/√d, masked positions −∞). Call it once per forward pass;
    /// the maximum over the calls since the last <see cref="Apply"/> counts (gradient accumulation).
    /// </summary>
    /// <param name="name">The registered name.</param>
    /// <param name="logits">The pre-softmax scores; read only, not kept.</param>
    public void Report(string name, Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (!_attentions.TryGetValue(name, out var attention))
            throw new ArgumentException($"No attention module named '{name}' is registered; known: {string.Join(", ", _attentions.Keys)}.", nameof(name));
        if (logits.dim() < 3 || logits.shape[^3] != attention.Heads)
            throw new ArgumentException($"Logits of '{name}' have shape [{string.Join(", ", logits.shape)}]; expected [..., {attention.Heads} heads, queries, keys].", nameof(logits));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var perHead = logits.detach().movedim(new long[] { -3 }, new long[] { 0 }).reshape(attention.Heads, -1).amax(new long[] { 1 }).to(ScalarType.Float64).cpu().data<double>().ToArray();
        attention.MaxLogits = attention.MaxLogits is null ? perHead : attention.MaxLogits.Zip(perHead, Math.Max).ToArray();
    }

    /// <summary>
    /// Scales the query and key rows of every head whose reported maximum exceeds τ by √(τ/S_max), then
    /// forgets the reported maxima. Returns the heads it clipped.
    /// </summary>
    public IReadOnlyList<ClippedHead> Apply()
    {
        var clipped = new List<ClippedHead>();
        using var _ = no_grad();
        foreach (var (name, attention) in _attentions)
        {
            if (attention.MaxLogits is not { } maxima) continue;
            attention.MaxLogits = null;
            var factors = maxima.Select(m => m > Threshold ? Math.Sqrt(Threshold / m) : 1.0).ToArray();
            if (factors.All(f => f == 1.0)) continue;
            for (int h = 0; h < maxima.Length; h++)
                if (factors[h] != 1.0) clipped.Add(new ClippedHead(name, h, maxima[h], Threshold / maxima[h]));
            using var scope = NewDisposeScope();
            long headRows = attention.Rows / attention.Heads;
            var rowFactors = tensor(factors).repeat_interleave(headRows).unsqueeze(1);   // [rows, 1]: √γ of each row's head
            Scale(attention.Query, attention.QueryOffset, attention.Rows, rowFactors);
            Scale(attention.Key, attention.KeyOffset, attention.Rows, rowFactors);
        }
        return clipped;
    }

    /// <summary>The largest logit per head reported since the last <see cref="Apply"/>, or null when none was.</summary>
    /// <param name="name">The registered name.</param>
    public IReadOnlyList<double>? MaxLogits(string name) =>
        _attentions.TryGetValue(name, out var attention) ? attention.MaxLogits : throw new ArgumentException($"No attention module named '{name}' is registered.", nameof(name));

    private static void Scale(Parameter weight, long offset, long rows, Tensor rowFactors) =>
        weight.narrow(0, offset, rows).mul_(rowFactors.to(weight.dtype).to(weight.device).view(new[] { rows }.Concat(Enumerable.Repeat(1L, (int)weight.dim() - 1)).ToArray()));

    private sealed record Attention(Parameter Query, Parameter Key, int Heads, long Rows, long QueryOffset, long KeyOffset)
    {
        public double[]? MaxLogits { get; set; }
    }
}

/// <summary>One head QK-clip scaled: its maximum logit and the factor γ = τ/S_max its logits were scaled by.</summary>
/// <param name="Attention">The attention module's registered name.</param>
/// <param name="Head">The head's index.</param>
/// <param name="MaxLogit">S_max reported in the step.</param>
/// <param name="Gamma">γ = τ/S_max; query and key rows were each scaled by √γ.</param>
public sealed record ClippedHead(string Attention, int Head, double MaxLogit, double Gamma);
