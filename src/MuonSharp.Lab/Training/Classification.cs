using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Training;

/// <summary>How the lab scores a classifier on a labelled set.</summary>
public static class Classification
{
    /// <summary>Examples per forward pass (measured fastest here for the small CNNs: larger batches leave the cache).</summary>
    public const int EvaluationBatch = 100;

    /// <summary>Accuracy and mean cross-entropy of <paramref name="logits"/> on <paramref name="inputs"/>, under no_grad, in batches of <see cref="EvaluationBatch"/>.</summary>
    /// <param name="logits">The classifier: inputs → logits <c>[batch, classes]</c>.</param>
    /// <param name="inputs">The examples, first dimension the example.</param>
    /// <param name="labels">Their int64 labels.</param>
    public static (double Accuracy, double Loss) Measure(Func<Tensor, Tensor> logits, Tensor inputs, Tensor labels)
    {
        long count = inputs.shape[0], correct = 0;
        if (count == 0 || labels.shape[0] != count)
            throw new ArgumentException($"{count} examples and {labels.shape[0]} labels: need as many labels as examples, at least one.", nameof(labels));
        double lossSum = 0;
        using var noGrad = no_grad();
        for (long start = 0; start < count; start += EvaluationBatch)
        {
            using var scope = NewDisposeScope();
            long length = Math.Min(EvaluationBatch, count - start);
            var output = logits(inputs.narrow(0, start, length));
            var batchLabels = labels.narrow(0, start, length);
            correct += output.argmax(1).eq(batchLabels).sum().ToInt64();
            lossSum += nn.functional.cross_entropy(output, batchLabels, reduction: nn.Reduction.Sum).ToDouble();
        }
        return ((double)correct / count, lossSum / count);
    }
}
