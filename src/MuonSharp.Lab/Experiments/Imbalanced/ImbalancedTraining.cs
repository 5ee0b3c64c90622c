using MuonSharp.Lab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.Imbalanced;

/// <summary>One training run's trajectory on the balanced test set.</summary>
/// <param name="Depth">Model depth.</param>
/// <param name="Optimizer">Optimizer name.</param>
/// <param name="Seed">Seed.</param>
/// <param name="LearningRate">Learning rate used.</param>
/// <param name="Steps">Steps at which it was evaluated (0, EvalEvery, …, final).</param>
/// <param name="Balanced">Balanced accuracy at those steps.</param>
/// <param name="PerClass">Per-class accuracy at those steps, [evaluation][class].</param>
/// <param name="MeanLoss">Training loss averaged over every step, +∞ when the run diverged.</param>
public sealed record ImbalancedTrajectory(int Depth, string Optimizer, int Seed, double LearningRate,
    IReadOnlyList<int> Steps, IReadOnlyList<double> Balanced, IReadOnlyList<double[]> PerClass, double MeanLoss)
{
    /// <summary>Accuracy of the rarest class (the last) at every evaluation.</summary>
    public IReadOnlyList<double> Rarest => PerClass.Select(p => p[^1]).ToList();
}

/// <summary>Full-batch cross-entropy training of a linear classifier with one optimizer.</summary>
public static class ImbalancedTraining
{
    /// <summary>
    /// Trains a depth-<paramref name="depth"/> classifier on <paramref name="data"/> for
    /// <c>config.Steps</c> full-batch steps, evaluating on the balanced test set every
    /// <c>EvalEvery</c> steps and at the end. When <paramref name="record"/> the evaluations go to the
    /// run's metrics as <c>d{depth}_balanced_accuracy</c> and <c>d{depth}_class{c}_accuracy</c>.
    /// </summary>
    /// <param name="context">Metrics, progress, cancellation.</param>
    /// <param name="config">Settings.</param>
    /// <param name="data">The seed's data.</param>
    /// <param name="depth">Number of weight matrices.</param>
    /// <param name="optimizerName">One of <see cref="ImbalancedExperiment.OptimizerNames"/>.</param>
    /// <param name="seed">Seed (the model's initialization comes from it and the depth).</param>
    /// <param name="learningRate">Learning rate.</param>
    /// <param name="record">Record metrics (false for tuning runs).</param>
    public static ImbalancedTrajectory Train(RunContext context, ImbalancedConfig config, ImbalancedData data, int depth,
        string optimizerName, int seed, double learningRate, bool record)
    {
        using var scope = NewDisposeScope();
        // The same initialization for every optimizer at a given seed and depth: paired comparisons.
        using var generator = new Generator(unchecked((ulong)seed * 1_000_003UL + (ulong)depth));
        using var model = new LinearClassifier(depth, config.Dimension, config.HiddenWidth, config.Classes, config.InitScale, generator);
        using var optimizer = CreateOptimizer(optimizerName, model, learningRate);
        bool normalize = optimizerName == ImbalancedExperiment.NormalizedGd;

        var steps = new List<int>();
        var balanced = new List<double>();
        var perClass = new List<double[]>();
        void Evaluate(int step)
        {
            var (b, pc) = TestAccuracy(model, data);
            steps.Add(step);
            balanced.Add(b);
            perClass.Add(pc);
            if (!record) return;
            context.Metrics.Add(step, optimizerName, seed, $"d{depth}_balanced_accuracy", b);
            for (int c = 0; c < pc.Length; c++) context.Metrics.Add(step, optimizerName, seed, $"d{depth}_class{c}_accuracy", pc[c]);
        }

        double lossSum = 0;
        bool diverged = false;
        using var bar = context.Progress.Start($"{optimizerName} depth {depth} seed {seed}{(record ? "" : $" (tuning lr {learningRate:G3})")}", config.Steps);
        for (int step = 0; step < config.Steps; step++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            if (step % config.EvalEvery == 0) Evaluate(step);
            using (var stepScope = NewDisposeScope())
            {
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.Forward(data.TrainX), data.TrainY);
                double value = loss.item<float>();
                if (!double.IsFinite(value)) { diverged = true; break; }    // the trajectory ends here
                lossSum += value;
                loss.backward();
                if (normalize) NormalizeGradients(model);
                optimizer.step();
            }
            bar.Advance();
        }
        using (no_grad()) diverged |= !double.IsFinite(nn.functional.cross_entropy(model.Forward(data.TrainX), data.TrainY).item<float>());
        if (!diverged) Evaluate(config.Steps);
        return new ImbalancedTrajectory(depth, optimizerName, seed, learningRate, steps, balanced, perClass,
            diverged ? double.PositiveInfinity : lossSum / config.Steps);
    }

    /// <summary>
    /// The <c>normalized-gd</c> control (<c>001</c>: "giving GD per-layer adaptive step sizes doesn't
    /// erase this"): each layer's gradient is divided by its Frobenius norm before the plain GD step,
    /// so every layer moves by exactly lr per step, as Spectral GD's layers move by lr in spectral norm.
    /// </summary>
    /// <param name="model">The model whose gradients are rescaled in place.</param>
    public static void NormalizeGradients(LinearClassifier model)
    {
        using var noGrad = no_grad();
        foreach (var p in model.Layers)
        {
            var norm = p.grad!.norm().item<float>();
            if (norm > 0) p.grad.div_(norm);
        }
    }

    /// <summary>Balanced and per-class accuracy on the test set.</summary>
    /// <param name="model">The model.</param>
    /// <param name="data">The data (its test set is balanced).</param>
    public static (double Balanced, double[] PerClass) TestAccuracy(LinearClassifier model, ImbalancedData data)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var predicted = model.Forward(data.TestX).argmax(1).data<long>().ToArray();
        var confusion = ClassAccuracy.Confusion(data.TestY.data<long>().ToArray(), predicted, data.Classes);
        return (ClassAccuracy.Balanced(confusion), ClassAccuracy.PerClass(confusion));
    }

    /// <summary>The base learning rate of <paramref name="optimizerName"/> in <paramref name="config"/>.</summary>
    /// <param name="config">Settings.</param>
    /// <param name="optimizerName">Optimizer name.</param>
    public static double BaseLearningRate(ImbalancedConfig config, string optimizerName) => optimizerName switch
    {
        ImbalancedExperiment.Gd => config.GdLearningRate,
        ImbalancedExperiment.NormalizedGd => config.NormalizedGdLearningRate,
        ImbalancedExperiment.Adam => config.AdamLearningRate,
        ImbalancedExperiment.SpectralGd => config.SpectralGdLearningRate,
        ImbalancedExperiment.Muon => config.MuonLearningRate,
        ImbalancedExperiment.Shampoo => config.ShampooLearningRate,
        _ => throw Unknown(optimizerName),
    };

    private static optim.Optimizer CreateOptimizer(string name, LinearClassifier model, double lr)
    {
        var named = model.NamedParameters().Select(p => (p.Name, p.Parameter)).ToList();
        var plain = named.Select(p => p.Parameter).ToList();
        return name switch
        {
            // Plain full-batch GD; normalized-gd is the same step on rescaled gradients.
            ImbalancedExperiment.Gd or ImbalancedExperiment.NormalizedGd => optim.SGD(plain, lr),
            ImbalancedExperiment.Adam => optim.Adam(plain, lr),
            // Exact polar update, no momentum: the SpecGD of Vasudeva et al. (001) and 000 §2.1.
            ImbalancedExperiment.SpectralGd => Optim.SpectralGD(named, lr),
            ImbalancedExperiment.Muon => Optim.Muon(named, lr),
            // Library defaults: Adam grafting, momentum 0.9, preconditioner every 10 steps from step 10.
            ImbalancedExperiment.Shampoo => Optim.Shampoo(named, lr),
            _ => throw Unknown(name),
        };
    }

    private static LabUserException Unknown(string name) =>
        new($"Unknown optimizer '{name}' for imbalanced. Known: {string.Join(", ", ImbalancedExperiment.OptimizerNames)}.");
}
