using static TorchSharp.torch;

namespace MuonSharp;

public static partial class Spectral
{
    /// <summary>
    /// The layerwise condition of Davis &amp; Drusvyatskiy (2025) for one layer (<c>004 §3</c>):
    /// does a spectral step guarantee a larger one-step loss decrease than a gradient step?
    /// </summary>
    /// <param name="NuclearRank">nr(G) = ‖G‖²_* / ‖G‖²_F of the layer's gradient; 0 for a zero gradient.</param>
    /// <param name="StableRank">st(A) = ‖A‖²_F / ‖A‖²_op of the activations entering the layer; 0 for zero activations.</param>
    /// <param name="Ratio">
    /// nr(G) / st(A): the spectral step's guaranteed decrease divided by the gradient step's.
    /// 0 when the gradient is zero; <see cref="double.PositiveInfinity"/> when only the activations are zero.
    /// </param>
    /// <param name="FavorsSpectral">nr(G) ≥ st(A) for a nonzero gradient (<c>004 §3.2</c>); false for a zero gradient.</param>
    public readonly record struct LayerwiseCondition(double NuclearRank, double StableRank, double Ratio, bool FavorsSpectral);

    /// <summary>
    /// Evaluates the layerwise condition nr(G) ≥ st(A) (<c>004 §3.2</c>) for a layer with gradient
    /// <paramref name="gradient"/> and incoming activations <paramref name="activations"/>.
    /// </summary>
    /// <param name="gradient">
    /// The layer's weight gradient G, <c>[out, in]</c>; conv filters <c>[out, in, kh, kw]</c> are read as <c>[out, in·kh·kw]</c>.
    /// </param>
    /// <param name="activations">
    /// The activations entering the layer as a matrix: <c>[in, samples]</c> as in the paper or
    /// <c>[samples, in]</c> as TorchSharp lays out a batch — the stable rank is the same for a matrix
    /// and its transpose. Reshape batched sequences <c>[batch, seq, in]</c> to <c>[batch·seq, in]</c> first.
    /// </param>
    /// <returns>Both ranks, their ratio and the verdict. Neither input is modified.</returns>
    /// <exception cref="ArgumentException">A non-floating input, a gradient with fewer than 2 dimensions, or activations that are not 2-D.</exception>
    public static LayerwiseCondition LayerwiseConditionOf(Tensor gradient, Tensor activations)
    {
        // Validate under this method's parameter names (the rank functions would report theirs);
        // the float64 copies cost O(size), nothing next to the SVDs below.
        using (NewDisposeScope())
        {
            _ = AsMatrix(gradient);
            _ = AsMatrix(activations);
        }
        // Flattening trailing dimensions is right for a conv gradient but silently wrong for activations
        // ([batch, seq, in] would become [batch, seq·in]), so activations must already be a matrix.
        if (activations.dim() != 2)
            throw new ArgumentException(
                $"Expected the activations as a matrix [samples, in] or [in, samples]; got shape [{string.Join(", ", activations.shape)}]. " +
                "Reshape batched activations to [-1, in] first.", nameof(activations));

        // Derivation (004 §3; the extracted text lost its formulas, so they are rebuilt here from the
        // random-feature model it names and the standard definitions in the papers README).
        //   Model: L(W) = (1/2n)‖WA − Y‖²_F, W ∈ R^{m×d}, A ∈ R^{d×n}, gradient G = (1/n)(WA − Y)Aᵀ.
        //   Exact Taylor expansion (L is quadratic): L(W + Δ) = L(W) + ⟨G, Δ⟩ + (1/2n)‖ΔA‖²_F.
        //   The quadratic term has two bounds (004 §3.1):
        //     Euclidean: ‖ΔA‖_F ≤ ‖Δ‖_F ‖A‖_op      spectral: ‖ΔA‖_F ≤ ‖Δ‖_op ‖A‖_F
        //   Minimizing each upper model over Δ:
        //     GD      Δ = −(n/‖A‖²_op) G                    guarantees a decrease of  n‖G‖²_F / (2‖A‖²_op)
        //     SpecGD  Δ = −(n/‖A‖²_F) ‖G‖_* polar(G)        guarantees a decrease of  n‖G‖²_* / (2‖A‖²_F)
        //   (the second because max ⟨G, Δ⟩ over ‖Δ‖_op ≤ 1 is ‖G‖_*, attained at polar(G)).
        //   Their quotient (004 §3.2) is
        //     [‖G‖²_* / ‖G‖²_F] · [‖A‖²_op / ‖A‖²_F] = nr(G) / st(A),
        //   so the spectral step's guarantee is at least GD's exactly when nr(G) ≥ st(A) (004 §3.3).
        return LayerwiseConditionFrom(NuclearRank(gradient), StableRank(activations));
    }

    /// <summary>The condition from the two ranks already measured (the monitor measures them from Gram spectra).</summary>
    internal static LayerwiseCondition LayerwiseConditionFrom(double nuclearRank, double stableRank)
    {
        // A zero gradient gives both steps a zero guarantee: nothing is favored and the ratio is 0, not 0/0.
        if (nuclearRank == 0) return new LayerwiseCondition(nuclearRank, stableRank, 0, false);
        double ratio = stableRank == 0 ? double.PositiveInfinity : nuclearRank / stableRank;
        return new LayerwiseCondition(nuclearRank, stableRank, ratio, nuclearRank >= stableRank);
    }
}
