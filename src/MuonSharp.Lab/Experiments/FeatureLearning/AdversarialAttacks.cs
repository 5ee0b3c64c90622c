using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.FeatureLearning;

/// <summary>
/// L∞ gradient attacks on a classifier whose inputs are pixels in [0, 1]: FGSM (Goodfellow et al. 2015), one
/// step of size ε along the sign of the loss gradient, and PGD (Madry et al. 2018), repeated sign steps
/// projected back onto the ε-ball around the clean input and onto [0, 1]. Gradients with respect to the input
/// come from TorchSharp autograd (<c>autograd.grad</c>: the model's parameters and their <c>.grad</c> are untouched).
/// </summary>
public static class AdversarialAttacks
{
    /// <summary>FGSM: <c>clamp(x + ε·sign(∇ₓ loss), 0, 1)</c>.</summary>
    /// <param name="logits">The classifier.</param>
    /// <param name="inputs">Clean inputs, pixels in [0, 1].</param>
    /// <param name="labels">Their labels.</param>
    /// <param name="epsilon">The L∞ radius, &gt; 0.</param>
    public static Tensor Fgsm(Func<Tensor, Tensor> logits, Tensor inputs, Tensor labels, double epsilon) =>
        Pgd(logits, inputs, labels, epsilon, steps: 1, stepSize: epsilon);

    /// <summary>
    /// PGD from the clean input (no random start, so the attack is deterministic): <paramref name="steps"/>
    /// times x ← Π(x + α·sign(∇ₓ loss)), Π the projection onto {‖x − x₀‖∞ ≤ ε} ∩ [0, 1].
    /// </summary>
    /// <param name="logits">The classifier.</param>
    /// <param name="inputs">Clean inputs x₀, pixels in [0, 1].</param>
    /// <param name="labels">Their labels.</param>
    /// <param name="epsilon">The L∞ radius, &gt; 0.</param>
    /// <param name="steps">Sign steps, ≥ 1.</param>
    /// <param name="stepSize">α, &gt; 0 (Madry et al.: 2.5 ε / steps).</param>
    public static Tensor Pgd(Func<Tensor, Tensor> logits, Tensor inputs, Tensor labels, double epsilon, int steps, double stepSize)
    {
        if (!(epsilon > 0 && double.IsFinite(epsilon))) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "The attack radius must be > 0.");
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "An attack needs at least one step.");
        if (!(stepSize > 0 && double.IsFinite(stepSize))) throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "The step size must be > 0.");
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();
        using var gradMode = enable_grad();
        var lower = inputs.sub(s[epsilon]).clamp_min_(s[0]);
        var upper = inputs.add(s[epsilon]).clamp_max_(s[1]);
        var adversarial = inputs.detach().clone();
        for (int step = 0; step < steps; step++)
        {
            using var stepScope = NewDisposeScope();
            var x = adversarial.detach().requires_grad_(true);
            var loss = nn.functional.cross_entropy(logits(x), labels, reduction: nn.Reduction.Sum);
            var gradient = autograd.grad(new[] { loss }, new[] { x })[0];
            using var noGrad = no_grad();
            var next = x.detach().add(gradient.sign().mul_(s[stepSize])).maximum(lower).minimum(upper);
            adversarial.Dispose();
            adversarial = next.MoveToOuterDisposeScope();
        }
        return adversarial.detach().MoveToOuterDisposeScope();
    }
}
