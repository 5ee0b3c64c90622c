namespace MuonSharp.Lab.Experiments.Imbalanced;

/// <summary>
/// Per-class accuracy (recall) and balanced accuracy, the metrics of imbalanced classification
/// (<c>001</c>, "Imbalanced and Long-Tail Data"): balanced accuracy is the mean over classes of the
/// fraction of that class's samples predicted correctly, so every class counts the same however rare.
/// </summary>
public static class ClassAccuracy
{
    /// <summary>Confusion counts: entry [true, predicted].</summary>
    /// <param name="labels">True classes.</param>
    /// <param name="predicted">Predicted classes (same length).</param>
    /// <param name="classes">Number of classes; labels and predictions must be in [0, classes).</param>
    public static long[,] Confusion(IReadOnlyList<long> labels, IReadOnlyList<long> predicted, int classes)
    {
        if (labels.Count != predicted.Count)
            throw new ArgumentException($"{labels.Count} labels but {predicted.Count} predictions.", nameof(predicted));
        var counts = new long[classes, classes];
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0 || labels[i] >= classes || predicted[i] < 0 || predicted[i] >= classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"Sample {i}: label {labels[i]}, prediction {predicted[i]}; classes are 0..{classes - 1}.");
            counts[labels[i], predicted[i]]++;
        }
        return counts;
    }

    /// <summary>Accuracy of each class: diagonal over row sum; NaN for a class with no samples.</summary>
    /// <param name="confusion">Counts [true, predicted].</param>
    public static double[] PerClass(long[,] confusion)
    {
        int classes = confusion.GetLength(0);
        var result = new double[classes];
        for (int c = 0; c < classes; c++)
        {
            long total = 0;
            for (int p = 0; p < classes; p++) total += confusion[c, p];
            result[c] = total == 0 ? double.NaN : (double)confusion[c, c] / total;
        }
        return result;
    }

    /// <summary>Mean of the per-class accuracies over classes that have samples; NaN when none has.</summary>
    /// <param name="confusion">Counts [true, predicted].</param>
    public static double Balanced(long[,] confusion)
    {
        var present = PerClass(confusion).Where(double.IsFinite).ToList();
        return present.Count == 0 ? double.NaN : present.Average();
    }
}
