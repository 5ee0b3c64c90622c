using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Optimizers;

/// <summary>
/// Decoupled weight decay (Loshchilov &amp; Hutter 2019), the one implementation Muon, AdamW and Lion
/// share: p ← p·(1 − lr·wd) before the optimizer's own step p ← p − lr·u. Its cautious form (Chen et
/// al. 2025, "Cautious Weight Decay", arXiv 2510.12402; <c>cautious_wd</c> in microsoft/dion and
/// modded-nanogpt) decays only the entries where the update u and the parameter have the same sign,
/// p ← p − lr·wd·𝕀(u⊙p ≥ 0)⊙p: there the step already moves the entry towards zero and the decay agrees
/// with it; where they disagree, decay would pull against the step the loss asks for.
/// </summary>
internal static class DecoupledWeightDecay
{
    /// <summary>Decays <paramref name="parameter"/> in place, before the update is applied.</summary>
    /// <param name="parameter">The parameter, not yet updated in this step.</param>
    /// <param name="lr">The group's learning rate.</param>
    /// <param name="wd">The group's weight decay (0: nothing happens).</param>
    /// <param name="cautious">Decay only where <paramref name="update"/> and the parameter have the same sign (or either is 0).</param>
    /// <param name="update">The direction u the step subtracts (p ← p − lr·u, any positive multiple of it), shaped like the parameter; read only when cautious.</param>
    /// <param name="s">Holds the scalars for the duration of the step.</param>
    public static void Apply(Tensor parameter, double lr, double wd, bool cautious, Tensor update, HeldScalars s)
    {
        if (wd == 0) return;
        if (!cautious)
        {
            parameter.mul_(s[1 - lr * wd]);
            return;
        }
        // factor = 1 − lr·wd where u·p ≥ 0, else 1, in the parameter's dtype so p·factor rounds once. The
        // signs are multiplied, not the values: u·p can underflow to −0 (counted as ≥ 0) or overflow.
        using var factor = update.sign().mul_(parameter.sign()).ge_(s[0.0]).to(parameter.dtype).mul_(s[-lr * wd]).add_(s[1.0], s[1]);
        parameter.mul_(factor);
    }
}
