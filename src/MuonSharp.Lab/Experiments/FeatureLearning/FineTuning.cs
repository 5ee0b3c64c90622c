using MuonSharp.Lab.Models;
using MuonSharp.Lab.Training;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.FeatureLearning;

/// <summary>
/// The fine-tuning recipe, the same for every pretrained network: a copy of the network with a new head for
/// the downstream classes (initialized from the seed's <c>fine-tune/head</c> stream), every weight trained by
/// full-batch Adam at lr 1e-3 on the few labelled examples for a fixed number of steps, then scored on the
/// downstream test images. The pretrained network is not modified.
/// </summary>
public static class FineTuning
{
    /// <summary>Adam's learning rate (our choice: PyTorch's default, small enough not to erase the pretrained features in 100 steps).</summary>
    public const double LearningRate = 1e-3;

    /// <summary>Fine-tunes a copy of <paramref name="pretrained"/> on <paramref name="examples"/> and returns its accuracy on <paramref name="test"/>.</summary>
    /// <param name="pretrained">The pretrained network (its head is replaced in the copy).</param>
    /// <param name="examples">The labelled downstream examples.</param>
    /// <param name="test">The downstream test images.</param>
    /// <param name="classes">Downstream classes.</param>
    /// <param name="steps">Full-batch steps, ≥ 1.</param>
    /// <param name="seed">The run's seed (the new head's initialization).</param>
    public static double Accuracy(MnistCnn pretrained, LabelledImages examples, LabelledImages test, int classes, int steps, int seed)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "Fine-tuning needs at least one step.");
        random.manual_seed((long)SeedStreams.Seed(seed, "fine-tune/head"));
        using var model = new MnistCnn(layout: pretrained.Layout, classes: classes);
        var source = pretrained.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
            foreach (var (name, parameter) in model.named_parameters())
                if (!name.StartsWith(MnistCnn.HeadName + ".", StringComparison.Ordinal))
                    parameter.copy_(source[name]);
        using var adam = optim.Adam(model.parameters(), LearningRate);
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            adam.zero_grad();
            nn.functional.cross_entropy(model.call(examples.Images), examples.Labels).backward();
            adam.step();
        }
        return Classification.Measure(model.call, test.Images, test.Labels).Accuracy;
    }
}
