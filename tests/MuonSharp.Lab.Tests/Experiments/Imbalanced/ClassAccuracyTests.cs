using MuonSharp.Lab.Experiments.Imbalanced;

namespace MuonSharp.Lab.Tests.Experiments.Imbalanced;

public sealed class ClassAccuracyTests
{
    [Fact]
    public void Per_class_and_balanced_accuracy_of_a_known_confusion()
    {
        // Class 0: 8 of 10 right; class 1: 1 of 2 right; class 2: 3 of 4 right.
        var confusion = new long[,] { { 8, 1, 1 }, { 1, 1, 0 }, { 0, 1, 3 } };

        var perClass = ClassAccuracy.PerClass(confusion);

        Assert.Equal(new[] { 0.8, 0.5, 0.75 }, perClass);
        Assert.Equal((0.8 + 0.5 + 0.75) / 3, ClassAccuracy.Balanced(confusion), 12);
    }

    [Fact]
    public void Predicting_the_majority_class_everywhere_scores_one_over_c_balanced_but_high_plain_accuracy()
    {
        var labels = Enumerable.Repeat(0L, 98).Concat(new[] { 1L, 2L }).ToArray();
        var predicted = new long[100];

        var confusion = ClassAccuracy.Confusion(labels, predicted, 3);

        Assert.Equal(98, confusion[0, 0]);
        Assert.Equal(new[] { 1.0, 0.0, 0.0 }, ClassAccuracy.PerClass(confusion));
        Assert.Equal(1.0 / 3, ClassAccuracy.Balanced(confusion), 12);
    }

    [Fact]
    public void A_class_without_samples_has_no_accuracy_and_does_not_count()
    {
        var confusion = ClassAccuracy.Confusion(new long[] { 0, 0, 1 }, new long[] { 0, 1, 1 }, 3);

        Assert.True(double.IsNaN(ClassAccuracy.PerClass(confusion)[2]));
        Assert.Equal((0.5 + 1.0) / 2, ClassAccuracy.Balanced(confusion), 12);
    }

    [Fact]
    public void Labels_outside_the_classes_are_refused_with_the_sample_named()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ClassAccuracy.Confusion(new long[] { 0, 3 }, new long[] { 0, 0 }, 3));

        Assert.Contains("Sample 1", error.Message);
    }
}
