using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.Imbalanced;

/// <summary>
/// The imbalanced Gaussian mixture of Vasudeva et al. (2025) as <c>001</c> describes it ("Gaussian-mixture
/// classification with class imbalance"): class c has mean μ_c and isotropic Gaussian noise,
/// x = μ_y + σ·z. The means are orthonormal directions times <c>MeanNorm</c> (our choice: every class
/// equally separable, so only frequency differs). Training classes have geometric frequencies from
/// the largest down to largest/ratio; the test set is balanced, so per-class accuracy is measured
/// on the same number of samples for every class.
/// </summary>
public sealed class ImbalancedData : IDisposable
{
    /// <summary>Draws a training and a test set.</summary>
    /// <param name="config">Sizes, imbalance, noise.</param>
    /// <param name="generator">Seeded generator, consumed in order: means, training set, test set.</param>
    public ImbalancedData(ImbalancedConfig config, Generator generator)
    {
        Classes = config.Classes;
        Counts = ClassCounts(config.Classes, config.LargestClass, config.ImbalanceRatio);
        // Rows of Q^T: `classes` orthonormal directions in R^d.
        var (q, _) = linalg.qr(randn(config.InputDim, config.Classes, dtype: ScalarType.Float32, generator: generator));
        using var s = new HeldScalars();
        Means = q.t().mul(s[config.MeanNorm]).contiguous();                                                        // [C, d]
        (TrainX, TrainY) = Sample(Counts, config.NoiseStd, generator);
        (TestX, TestY) = Sample(Enumerable.Repeat(config.TestPerClass, config.Classes).ToArray(), config.NoiseStd, generator);
        q.Dispose();
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Training samples per class, class 0 the most frequent.</summary>
    public int[] Counts { get; }

    /// <summary>Class means [C, d].</summary>
    public Tensor Means { get; }

    /// <summary>Training inputs [n, d].</summary>
    public Tensor TrainX { get; }

    /// <summary>Training labels [n] (int64).</summary>
    public Tensor TrainY { get; }

    /// <summary>Balanced test inputs [C·TestPerClass, d].</summary>
    public Tensor TestX { get; }

    /// <summary>Test labels (int64).</summary>
    public Tensor TestY { get; }

    /// <summary>
    /// Geometric class sizes: n_c = round(largest · ratio^(−c/(C−1))), at least 1, so class 0 has
    /// <paramref name="largest"/> samples and class C−1 has largest/ratio.
    /// </summary>
    /// <param name="classes">C ≥ 2.</param>
    /// <param name="largest">Samples of the most frequent class.</param>
    /// <param name="ratio">Imbalance ratio ≥ 1 (100 for "100:1").</param>
    public static int[] ClassCounts(int classes, int largest, double ratio) =>
        Enumerable.Range(0, classes)
            .Select(c => Math.Max(1, (int)Math.Round(largest * Math.Pow(ratio, -(double)c / (classes - 1)))))
            .ToArray();

    private (Tensor X, Tensor Y) Sample(int[] counts, double noiseStd, Generator generator)
    {
        var labels = tensor(counts.SelectMany((n, c) => Enumerable.Repeat((long)c, n)).ToArray());             // [n]
        var noise = randn(labels.shape[0], Means.shape[1], dtype: ScalarType.Float32, generator: generator);  // [n, d]
        using var s = new HeldScalars();
        return (Means.index_select(0, labels).add(noise.mul(s[noiseStd]), s[1]), labels);   // mean + noise·std
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in new[] { Means, TrainX, TrainY, TestX, TestY }) t.Dispose();
    }
}
