using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Tests.Optimizers;

/// <summary>
/// Split, per-head and batched matrix layouts: a fused or stacked parameter must move exactly as its
/// blocks would as separate parameters (microsoft/dion: "matching the update that separate per-block
/// parameters would receive"), while the default flattened reading stays as it was.
/// </summary>
public sealed class MatrixLayoutTests
{
    private static Tensor Random(long[] shape, int seed) => randn(shape, dtype: ScalarType.Float64, generator: new Generator((ulong)seed));

    /// <summary>
    /// Three steps of Muon (Nesterov, weight decay, optionally NorMuon) on the fused parameter read with
    /// <paramref name="layout"/>, and on its blocks as separate parameters; returns both results, the blocks put
    /// back together. Float64 parameters iterate Newton–Schulz in float64, float32 ones in the default bfloat16.
    /// </summary>
    private static (Tensor Fused, Tensor Separate) FusedAndSeparate(long[] shape, MatrixLayout layout, Func<Tensor, Tensor[]> blocks,
        Func<Tensor[], Tensor> join, bool normuon, ScalarType dtype = ScalarType.Float64)
    {
        var nsDtype = dtype == ScalarType.Float64 ? ScalarType.Float64 : Muon.DefaultNsDtype;
        using var fused = new Parameter(Random(shape, seed: 1).to(dtype));
        var separate = blocks(fused.detach()).Select(b => new Parameter(b.clone())).ToArray();
        using var fusedMuon = Optim.Muon(new[] { ("fused", fused) }, lr: 0.05, weight_decay: 0.1, ns_dtype: nsDtype, normuon: normuon,
            adjust_lr: Optim.AdjustLr.MatchRmsAdamW, layouts: new MatrixLayouts().For("fused", layout));
        using var separateMuon = Optim.Muon(separate, lr: 0.05, weight_decay: 0.1, ns_dtype: nsDtype, normuon: normuon, adjust_lr: Optim.AdjustLr.MatchRmsAdamW);
        for (int step = 0; step < 3; step++)
        {
            var g = Random(shape, seed: 10 + step).to(dtype);
            fused.grad = g.clone();
            foreach (var (p, gb) in separate.Zip(blocks(g))) p.grad = gb.clone();
            fusedMuon.step();
            separateMuon.step();
        }
        return (fused.detach().clone(), join(separate.Select(p => p.detach()).ToArray()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_fused_qkv_split_moves_as_its_three_blocks_would_even_of_unequal_sizes(bool normuon)
    {
        // [8, 5] as q [4, 5], k [2, 5], v [2, 5] (grouped-query attention's unequal blocks); each has its own shape scale.
        var (fused, separate) = FusedAndSeparate(new long[] { 8, 5 }, MatrixLayout.Split(4, 2, 2),
            t => t.split(new long[] { 4, 2, 2 }, 0), parts => cat(parts, 0), normuon);

        Assert.True(TensorAssert.MaxAbsDifference(fused, separate) < 1e-12);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Per_head_orthogonalization_moves_each_head_as_a_separate_matrix(bool normuon)
    {
        var (fused, separate) = FusedAndSeparate(new long[] { 6, 4 }, MatrixLayout.Heads(3),
            t => t.split(2, 0), parts => cat(parts, 0), normuon);

        Assert.True(TensorAssert.MaxAbsDifference(fused, separate) < 1e-12);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_expert_stack_is_as_many_matrices_as_experts(bool normuon)
    {
        // [3, 4, 5]: three experts of [4, 5], not one [3, 20] matrix.
        var (fused, separate) = FusedAndSeparate(new long[] { 3, 4, 5 }, MatrixLayout.Batch(),
            t => t.unbind(0), parts => stack(parts, 0), normuon);

        Assert.True(TensorAssert.MaxAbsDifference(fused, separate) < 1e-12);
    }

    [Fact]
    public void A_split_in_float32_with_bfloat16_Newton_Schulz_runs_each_block_on_the_fused_path()
    {
        // Each block is a batch of one matrix [1, rows, cols] in the default bfloat16 iteration: the fused path's
        // batched branch, which a float64 run never reaches. Equal to the blocks as separate parameters within bfloat16's rounding.
        var (fused, separate) = FusedAndSeparate(new long[] { 12, 8 }, MatrixLayout.Split(4, 4, 4), t => t.split(4, 0), parts => cat(parts, 0),
            normuon: false, ScalarType.Float32);

        Assert.True(TensorAssert.MaxAbsDifference(fused, separate) < 1e-2);
    }

    [Fact]
    public void Without_a_layout_an_expert_stack_is_one_flattened_matrix_which_moves_differently()
    {
        // The default stays [out, rest] (a conv filter's reading), so the comparison above can fail.
        using var stacked = new Parameter(Random(new long[] { 3, 4, 5 }, seed: 1));
        using var asBatch = new Parameter(stacked.detach().clone());
        using var flattened = Optim.Muon(new[] { ("w", stacked) }, ns_dtype: ScalarType.Float64);
        using var batched = Optim.Muon(new[] { ("w", asBatch) }, ns_dtype: ScalarType.Float64, layouts: new MatrixLayouts().For("w", MatrixLayout.Batch()));
        stacked.grad = Random(new long[] { 3, 4, 5 }, seed: 2);
        asBatch.grad = stacked.grad.clone();

        flattened.step();
        batched.step();

        Assert.Equal(MatrixLayout.Flattened, flattened.LayoutOf(stacked));
        Assert.True(TensorAssert.MaxAbsDifference(stacked, asBatch) > 1e-3);
    }

    [Fact]
    public void A_stack_with_normuon_keeps_a_second_moment_row_per_row_of_every_expert_and_it_round_trips()
    {
        using var stacked = new Parameter(Random(new long[] { 3, 4, 5 }, seed: 1));
        var layouts = new MatrixLayouts().For("experts.w", MatrixLayout.Batch());
        using var muon = Optim.Muon(new[] { ("experts.w", stacked) }, normuon: true, ns_dtype: ScalarType.Float64, layouts: layouts);
        stacked.grad = Random(new long[] { 3, 4, 5 }, seed: 2);
        muon.step();

        using var copy = new Parameter(stacked.detach().clone());
        using var reloaded = Optim.Muon(new[] { ("experts.w", copy) }, normuon: true, ns_dtype: ScalarType.Float64, layouts: layouts);
        OptimizerTestKit.LoadState(reloaded, OptimizerTestKit.SaveState(muon));

        Assert.Equal(new long[] { 12, 1 }, muon.StateOf(stacked).second_momentum_buffer!.shape);
        Assert.True(TensorAssert.Identical(muon.StateOf(stacked).second_momentum_buffer!, reloaded.StateOf(copy).second_momentum_buffer!));
    }

    [Fact]
    public void The_hybrids_routing_table_names_each_layout()
    {
        var named = new[]
        {
            ("blocks.0.attn.qkv.weight", new Parameter(zeros(12, 4))), ("blocks.0.moe.experts", new Parameter(zeros(2, 4, 4))),
            ("blocks.0.attn.proj.weight", new Parameter(zeros(4, 4))), ("head.weight", new Parameter(zeros(3, 4))),
        };

        // The default routing sends the first parameter with more than 2 dimensions to AdamW as a first conv
        // layer, so an expert stack is routed to Muon explicitly.
        using var hybrid = Optim.MuonWithAuxAdamW(named, routing: ParameterRouting.Default().Muon("*.experts"), layouts: new MatrixLayouts()
            .For("*.qkv.weight", MatrixLayout.Split(4, 4, 4)).For("*.experts", MatrixLayout.Batch()));

        var table = hybrid.RoutingTable();
        Assert.Contains("split into rows [4, 4, 4]", table);
        Assert.Contains("batch of matrices over the first 1 dimension", table);
        Assert.Equal(MatrixLayout.Flattened, hybrid.MuonPart.LayoutOf(named[2].Item2));
    }
}
