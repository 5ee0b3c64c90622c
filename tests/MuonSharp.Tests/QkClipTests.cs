using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Tests;

/// <summary>QK-clip (Kimi Team 2025, arXiv 2507.20534, §2.1) on a fused qkv weight, in float64.</summary>
public sealed class QkClipTests
{
    private const int Width = 6, Heads = 2, HeadDim = Width / Heads;

    /// <summary>Causal pre-softmax logits [batch, heads, time, time] of the fused weight [3·width, width]: q·kᵀ/√d, the future −∞.</summary>
    private static Tensor Logits(Tensor x, Tensor fused)
    {
        long batch = x.shape[0], time = x.shape[1];
        Tensor Split(Tensor t) => t.view(batch, time, Heads, HeadDim).transpose(1, 2);
        var q = Split(x.matmul(fused.narrow(0, 0, Width).T));
        var k = Split(x.matmul(fused.narrow(0, Width, Width).T));
        var logits = q.matmul(k.transpose(-2, -1)).div(Math.Sqrt(HeadDim));
        var future = ones(time, time, dtype: ScalarType.Bool).triu(1);
        return logits.masked_fill(future, double.NegativeInfinity);
    }

    private static double[] MaxPerHead(Tensor logits) =>
        logits.movedim(new long[] { 1 }, new long[] { 0 }).reshape(Heads, -1).amax(new long[] { 1 }).data<double>().ToArray();

    [Fact]
    public void A_head_above_tau_peaks_at_exactly_tau_on_the_same_batch_and_a_head_below_is_untouched()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        var x = randn(new long[] { 2, 7, Width }, dtype: ScalarType.Float64, generator: generator);
        var weights = randn(new long[] { 3 * Width, Width }, dtype: ScalarType.Float64, generator: generator);
        weights.narrow(0, 0, HeadDim).mul_(6.0);   // head 0's queries: its logits grow large
        using var fused = new Parameter(weights);
        var before = Logits(x, fused).detach();
        var maxima = MaxPerHead(before);
        double tau = (maxima[0] + maxima[1]) / 2;
        Assert.True(maxima[0] > tau && maxima[1] < tau, $"maxima {maxima[0]}, {maxima[1]}");
        var values = fused.detach().narrow(0, 2 * Width, Width).clone();
        var clip = new QkClip(tau);
        clip.Register("blocks.0.attn", fused, fused, Heads, rows: Width, queryOffset: 0, keyOffset: Width);

        clip.Report("blocks.0.attn", before);
        var clipped = clip.Apply();

        var after = Logits(x, fused).detach();
        var head = Assert.Single(clipped);
        Assert.Equal((0, maxima[0], tau / maxima[0]), (head.Head, head.MaxLogit, head.Gamma));
        Assert.Equal(tau, MaxPerHead(after)[0], 1e-12 * tau);
        Assert.True(TensorAssert.Identical(before.select(1, 1), after.select(1, 1)), "head 1 changed");
        Assert.True(TensorAssert.Identical(values, fused.detach().narrow(0, 2 * Width, Width)), "the value rows changed");
        Assert.Empty(clip.Apply());   // nothing reported since: nothing clipped
    }

    [Fact]
    public void The_maximum_over_several_reports_counts()
    {
        using var w = new Parameter(zeros(2 * Width, Width, dtype: ScalarType.Float64));
        var clip = new QkClip(10);
        clip.Register("attn", w, w, Heads, rows: Width, keyOffset: Width);

        clip.Report("attn", full(1, Heads, 3, 3, 4.0, dtype: ScalarType.Float64));
        clip.Report("attn", full(1, Heads, 3, 3, 12.0, dtype: ScalarType.Float64));

        Assert.Equal(new[] { 12.0, 12.0 }, clip.MaxLogits("attn"));
    }

    [Fact]
    public void Bad_settings_and_unknown_modules_are_refused_with_what_is_accepted()
    {
        using var w = new Parameter(zeros(2 * Width, Width));
        var clip = new QkClip();
        clip.Register("attn", w, w, Heads, rows: Width, keyOffset: Width);

        Assert.Contains("> 0", Assert.Throws<ArgumentOutOfRangeException>(() => new QkClip(0)).Message);
        Assert.Contains("divides the rows", Assert.Throws<ArgumentOutOfRangeException>(() => clip.Register("other", w, w, heads: 4, rows: Width)).Message);
        Assert.Contains("known: attn", Assert.Throws<ArgumentException>(() => clip.Report("atn", zeros(1, Heads, 2, 2))).Message);
        Assert.Contains("2 heads", Assert.Throws<ArgumentException>(() => clip.Report("attn", zeros(1, 3, 2, 2))).Message);
        Assert.Contains("12 rows", Assert.Throws<ArgumentOutOfRangeException>(() => clip.Register("far", w, w, Heads, rows: Width, keyOffset: 10)).Message);
    }
}
