using MuonSharp.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Benchmarks;

/// <summary>
/// The parameter set of a small character-level GPT — 4 layers of width 256, context 256 — with a
/// fixed random gradient on every parameter: the workload of the optimizer-step benchmarks. Names
/// follow nanoGPT, so <see cref="ParameterRouting.Default"/> sends the hidden matrices to Muon and the
/// embeddings, head and gains to AdamW.
/// </summary>
public static class SmallGpt
{
    /// <summary>Transformer blocks.</summary>
    public const int Layers = 4;

    /// <summary>Model width (embedding dimension).</summary>
    public const int Width = 256;

    /// <summary>Context length: rows of the position embedding.</summary>
    public const int Context = 256;

    /// <summary>Vocabulary: one token per 7-bit ASCII character.</summary>
    public const int Vocabulary = 128;

    /// <summary>Every parameter's name and shape, in model order (no biases, as in nanoGPT with bias = false).</summary>
    public static IEnumerable<(string Name, long[] Shape)> Shapes()
    {
        yield return ("wte.weight", new long[] { Vocabulary, Width });
        yield return ("wpe.weight", new long[] { Context, Width });
        for (int layer = 0; layer < Layers; layer++)
        {
            string block = $"blocks.{layer}";
            yield return ($"{block}.ln_1.weight", new long[] { Width });
            yield return ($"{block}.attn.c_attn.weight", new long[] { 3 * Width, Width });   // qkv [768, 256]
            yield return ($"{block}.attn.c_proj.weight", new long[] { Width, Width });       // proj [256, 256]
            yield return ($"{block}.ln_2.weight", new long[] { Width });
            yield return ($"{block}.mlp.c_fc.weight", new long[] { 4 * Width, Width });      // fc [1024, 256]
            yield return ($"{block}.mlp.c_proj.weight", new long[] { Width, 4 * Width });    // fc2 [256, 1024]
        }
        yield return ("ln_f.weight", new long[] { Width });
        yield return ("lm_head.weight", new long[] { Vocabulary, Width });
    }

    /// <summary>The shapes Muon orthogonalizes: the matrices inside the blocks.</summary>
    public static IEnumerable<long[]> MuonShapes() =>
        Shapes().Where(p => p.Shape.Length == 2 && p.Name.StartsWith("blocks.", StringComparison.Ordinal)).Select(p => p.Shape);

    /// <summary>
    /// Fresh float32 parameters (N(0, 0.02²), gains 1) with a fixed N(0, 10⁻⁶) gradient each.
    /// Checks that the default routing sends exactly <see cref="MuonShapes"/> to Muon, so the FLOP
    /// model counts what the optimizer does.
    /// </summary>
    /// <param name="seed">Seed of the values.</param>
    public static List<(string Name, Parameter Parameter)> Create(int seed = 0)
    {
        var generator = new Generator((ulong)seed);
        var parameters = new List<(string, Parameter)>();
        foreach (var (name, shape) in Shapes())
        {
            var value = shape.Length == 1 ? ones(shape) : randn(shape, generator: generator) * 0.02;
            var parameter = new Parameter(value);
            parameter.grad = randn(shape, generator: generator) * 1e-3;
            parameters.Add((name, parameter));
        }

        var routedToMuon = ParameterRouting.Default().Assign(parameters).Where(r => r.Route == Route.Muon).Select(r => r.Parameter.shape);
        if (!routedToMuon.Select(s => string.Join("x", s)).SequenceEqual(MuonShapes().Select(s => string.Join("x", s))))
            throw new InvalidOperationException("The default routing no longer sends exactly the block matrices to Muon; update SmallGpt.MuonShapes.");
        return parameters;
    }
}
