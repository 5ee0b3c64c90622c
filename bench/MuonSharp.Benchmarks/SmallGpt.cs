namespace MuonSharp.Benchmarks;

/// <summary>
/// The parameter set of a small character-level GPT — 4 layers, context 256 — at width 256 (the
/// original benchmark workload) or 128 (<c>002</c>'s small GPT). Names follow nanoGPT, so
/// <see cref="MuonSharp.Optimizers.ParameterRouting.Default"/> sends the hidden matrices to Muon and
/// the embeddings, head and gains to AdamW.
/// </summary>
public static class SmallGpt
{
    /// <summary>Transformer blocks.</summary>
    public const int Layers = 4;

    /// <summary>Model width (embedding dimension) of the original benchmark workload.</summary>
    public const int Width = 256;

    /// <summary>Context length: rows of the position embedding.</summary>
    public const int Context = 256;

    /// <summary>Vocabulary: one token per 7-bit ASCII character.</summary>
    public const int Vocabulary = 128;

    /// <summary>Every parameter's name and shape, in model order (no biases, as in nanoGPT with bias = false).</summary>
    /// <param name="width">Embedding dimension.</param>
    public static IEnumerable<(string Name, long[] Shape)> Shapes(int width = Width)
    {
        yield return ("wte.weight", new long[] { Vocabulary, width });
        yield return ("wpe.weight", new long[] { Context, width });
        for (int layer = 0; layer < Layers; layer++)
        {
            string block = $"blocks.{layer}";
            yield return ($"{block}.ln_1.weight", new long[] { width });
            yield return ($"{block}.attn.c_attn.weight", new long[] { 3 * width, width });   // qkv
            yield return ($"{block}.attn.c_proj.weight", new long[] { width, width });       // proj
            yield return ($"{block}.ln_2.weight", new long[] { width });
            yield return ($"{block}.mlp.c_fc.weight", new long[] { 4 * width, width });      // fc
            yield return ($"{block}.mlp.c_proj.weight", new long[] { width, 4 * width });    // fc2
        }
        yield return ("ln_f.weight", new long[] { width });
        yield return ("lm_head.weight", new long[] { Vocabulary, width });
    }

    /// <summary>The shapes Muon orthogonalizes: the matrices inside the blocks.</summary>
    /// <param name="width">Embedding dimension.</param>
    public static IEnumerable<long[]> MuonShapes(int width = Width) =>
        Shapes(width).Where(p => p.Shape.Length == 2 && p.Name.StartsWith("blocks.", StringComparison.Ordinal)).Select(p => p.Shape);
}
