using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.Routing;

/// <summary>
/// The routing network (<c>000</c> App. C.2; Saxe et al. 2022): a sample x from input domain i going
/// to output domain j is mapped to ŷ = D_j W E_i x — per-domain linear encoders E_i [h, d], one shared
/// hidden linear layer W [h, h], per-domain linear decoders D_j [d, h], no biases. (The paper's
/// formula is lost; this is the product its words describe.) Only the layers of a sample's pair take
/// part in its forward pass, so only they receive its gradient.
/// </summary>
public sealed class RoutingNetwork : IDisposable
{
    /// <summary>Builds the layers with orthogonal initialization times <paramref name="gain"/>.</summary>
    /// <param name="domains">K.</param>
    /// <param name="codeDimension">d.</param>
    /// <param name="hiddenWidth">h.</param>
    /// <param name="gain">Gain of the orthogonal init (papers README: 0.2).</param>
    /// <param name="generator">Seeded generator, consumed in a fixed order: encoders, shared, decoders.</param>
    public RoutingNetwork(int domains, int codeDimension, int hiddenWidth, double gain, Generator generator)
    {
        Encoders = Enumerable.Range(0, domains).Select(_ => new Parameter(Orthogonal(hiddenWidth, codeDimension, gain, generator))).ToArray(); // [h, d]
        Shared = new Parameter(Orthogonal(hiddenWidth, hiddenWidth, gain, generator));                                                       // [h, h]
        Decoders = Enumerable.Range(0, domains).Select(_ => new Parameter(Orthogonal(codeDimension, hiddenWidth, gain, generator))).ToArray(); // [d, h]
    }

    /// <summary>E_i, one per input domain, [h, d].</summary>
    public Parameter[] Encoders { get; }

    /// <summary>W, the shared hidden layer, [h, h].</summary>
    public Parameter Shared { get; }

    /// <summary>D_j, one per output domain, [d, h].</summary>
    public Parameter[] Decoders { get; }

    /// <summary>Every parameter with a name, each exactly once.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters() =>
        Encoders.Select((p, i) => ($"encoder{i}", p))
            .Append(("shared", Shared))
            .Concat(Decoders.Select((p, j) => ($"decoder{j}", p)));

    /// <summary>ŷ = D_j W E_i x for every sample of a batch.</summary>
    /// <param name="input">Input domain per sample [B] (int64).</param>
    /// <param name="output">Output domain per sample [B] (int64).</param>
    /// <param name="x">Codes [B, d].</param>
    /// <returns>Predictions [B, d].</returns>
    public Tensor Forward(Tensor input, Tensor output, Tensor x)
    {
        var e = stack(Encoders).index_select(0, input);         // [B, h, d]
        var dec = stack(Decoders).index_select(0, output);      // [B, d, h]
        var hidden = e.bmm(x.unsqueeze(-1));                    // [B, h, 1]
        return dec.bmm(Shared.matmul(hidden)).squeeze(-1);      // [B, d]
    }

    /// <summary>
    /// Evaluates every (input, output) pair on all items. Errors[i, j] is
    /// mean_t ‖D_j W E_i c_{i,t} − y_t‖² (targets have norm 1, so 1 is the error of predicting zero);
    /// ItemAccuracy[i, j] is the fraction of items whose output is nearest to their own target.
    /// </summary>
    /// <param name="task">Codes and targets.</param>
    /// <returns>Two K×K arrays, row = input domain, column = output domain.</returns>
    public (double[,] Errors, double[,] ItemAccuracy) EvaluatePairs(RoutingTask task)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int k = task.Domains;
        var hidden = Shared.matmul(stack(Encoders).bmm(task.Codes));                   // [K_in, h, items]: W E_i C_i
        // out[j, i] = D_j W E_i C_i: broadcast decoders [K, 1, d, h] against hidden [1, K, h, items].
        var outputs = stack(Decoders).unsqueeze(1).matmul(hidden.unsqueeze(0));       // [K_out, K_in, d, items]
        using var s = new HeldScalars();
        var errors = (outputs - task.Targets).pow(s[2]).sum(2).mean(new long[] { -1 }).data<double>().ToArray(); // [K_out·K_in]
        // Targets have equal norms, so the nearest target is the one with the largest inner product.
        var nearest = task.Targets.t().matmul(outputs).argmax(2);                      // [K_out, K_in, items]
        var correct = nearest.eq(arange(s[0], s[task.Items], s[1])).to(ScalarType.Float64).mean(new long[] { -1 }).data<double>().ToArray();
        var e = new double[k, k];
        var a = new double[k, k];
        for (int j = 0; j < k; j++)
            for (int i = 0; i < k; i++)
                (e[i, j], a[i, j]) = (errors[j * k + i], correct[j * k + i]);
        return (e, a);
    }

    /// <summary>
    /// A seeded orthogonal matrix times <paramref name="gain"/>, as <c>torch.nn.init.orthogonal_</c>
    /// builds it (QR of a Gaussian matrix, columns' signs fixed by R's diagonal, transposed when wide);
    /// written here because TorchSharp's <c>orthogonal_</c> takes no generator.
    /// </summary>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <param name="gain">Scale; every singular value equals it.</param>
    /// <param name="generator">Seeded generator.</param>
    public static Tensor Orthogonal(int rows, int cols, double gain, Generator generator)
    {
        using var scope = NewDisposeScope();
        bool wide = rows < cols;
        var a = randn(wide ? cols : rows, wide ? rows : cols, dtype: ScalarType.Float64, generator: generator); // tall
        var (q, r) = linalg.qr(a);
        q = q * r.diagonal().sign();          // unique Q (R with positive diagonal): Haar-distributed
        if (wide) q = q.t();
        using var s = new HeldScalars();
        return q.mul(s[gain]).contiguous().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (_, p) in NamedParameters()) p.Dispose();
    }
}
