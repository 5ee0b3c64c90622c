using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.MatrixSensing;

/// <summary>
/// How flat a spectrum is (papers README, "Standard definitions"): with p_i = σ_i / Σσ_j,
/// spectral entropy H = −Σ p_i log p_i (natural log; ln k for k equal nonzero values, 0 for one),
/// effective rank e^H, stable rank ‖W‖²_F/‖W‖²_op = Σσ²/σ₁², and the normalized spectrum p itself.
/// Computed from singular values once so one SVD gives every number; agrees with
/// <see cref="Spectral.SpectralEntropy"/> and <see cref="Spectral.StableRank"/> (tested).
/// </summary>
/// <param name="Entropy">Spectral entropy H(p), nats.</param>
/// <param name="StableRank">Σσ²/σ₁².</param>
/// <param name="NuclearNorm">Σσ.</param>
/// <param name="Normalized">p_i = σ_i / Σσ_j, largest first.</param>
public sealed record SpectrumSummary(double Entropy, double StableRank, double NuclearNorm, IReadOnlyList<double> Normalized)
{
    /// <summary>Effective rank e^H (Roy &amp; Vetterli); 0 for the zero matrix.</summary>
    public double EffectiveRank => NuclearNorm == 0 ? 0 : Math.Exp(Entropy);

    /// <summary>The summary of a list of singular values (any order, all ≥ 0).</summary>
    /// <param name="singularValues">σ_i.</param>
    public static SpectrumSummary Of(IReadOnlyList<double> singularValues)
    {
        if (singularValues.Any(s => !(s >= 0))) throw new ArgumentException("Singular values must be ≥ 0 and not NaN.", nameof(singularValues));
        var sorted = singularValues.OrderByDescending(s => s).ToArray();
        double total = sorted.Sum();
        if (total == 0) return new SpectrumSummary(0, 0, 0, sorted.Select(_ => 0.0).ToArray());
        var p = sorted.Select(s => s / total).ToArray();
        double entropy = -p.Where(x => x > 0).Sum(x => x * Math.Log(x));
        double stableRank = sorted.Sum(s => s * s) / (sorted[0] * sorted[0]);
        return new SpectrumSummary(entropy, stableRank, total, p);
    }

    /// <summary>The summary of a matrix's spectrum.</summary>
    /// <param name="matrix">A matrix <c>[m, n]</c>.</param>
    public static SpectrumSummary OfMatrix(Tensor matrix) => Of((IReadOnlyList<double>)Spectral.SingularValues(matrix));
}

/// <summary>
/// The acquisition-time spread ratio of <c>002</c> (Corollary 3, Fig. 9; papers README):
/// ATSR = max_k t_k / min_k t_k over K diagonal blocks of W, t_k the step at which block k reaches a
/// threshold fraction of its final singular-value mass. ATSR = 1 means every block is learned at
/// the same time; large ATSR means some blocks are learned much later than others.
/// <para>
/// The mass of block k is the nuclear norm of the diagonal block W_kk. Because W₀ already carries
/// mass in every block (0.1·N(0, 1) gives a 5×5 block a nuclear norm near 1, as large as the
/// smallest target block), "reaching a fraction of the final mass" is measured on the mass gained
/// since step 0 — our reading, stated so it can be changed: t_k is the first step t ≥ 1 with
/// mass_k(t) − mass_k(0) ≥ f·(mass_k(T) − mass_k(0)). A block that gains no net mass is never
/// acquired: if some blocks are acquired and others never, the spread is unbounded (ATSR = +∞);
/// if no block is acquired there is nothing to compare (ATSR = NaN).
/// </para>
/// </summary>
public static class Acquisition
{
    /// <summary>Nuclear norms of the K diagonal blocks of <paramref name="w"/> (one batched SVD).</summary>
    /// <param name="w">A matrix <c>[m, n]</c> with K dividing m and n.</param>
    /// <param name="blocks">K.</param>
    public static double[] BlockMasses(Tensor w, int blocks)
    {
        using var scope = NewDisposeScope();
        long rows = w.shape[0] / blocks, cols = w.shape[1] / blocks;
        var diagonal = stack(Enumerable.Range(0, blocks).Select(k =>
            w[TensorIndex.Slice(k * rows, (k + 1) * rows), TensorIndex.Slice(k * cols, (k + 1) * cols)]));  // [K, rows, cols]
        return linalg.svdvals(diagonal.to(ScalarType.Float64)).sum(-1).data<double>().ToArray();
    }

    /// <summary>
    /// The acquisition step of one block: the first t ≥ 1 whose gain over step 0 reaches
    /// <paramref name="fraction"/> of the final gain; −1 when the final gain is not positive.
    /// </summary>
    /// <param name="mass">mass(t) for t = 0..T.</param>
    /// <param name="fraction">f in (0, 1].</param>
    public static int AcquisitionStep(IReadOnlyList<double> mass, double fraction)
    {
        if (mass.Count < 2) return -1;
        double start = mass[0], gain = mass[^1] - start;
        if (!(gain > 0)) return -1;
        for (int t = 1; t < mass.Count; t++)
            if (mass[t] - start >= fraction * gain) return t;
        return mass.Count - 1;
    }

    /// <summary>ATSR = max_k t_k / min_k t_k; +∞ when only some blocks are acquired, NaN when none is.</summary>
    /// <param name="blockMasses">blockMasses[k][t] = mass of block k after step t (t = 0..T).</param>
    /// <param name="fraction">f in (0, 1].</param>
    public static double SpreadRatio(IReadOnlyList<IReadOnlyList<double>> blockMasses, double fraction)
    {
        var times = blockMasses.Select(m => AcquisitionStep(m, fraction)).ToList();
        var acquired = times.Where(t => t >= 1).ToList();
        if (acquired.Count == 0) return double.NaN;
        if (acquired.Count < times.Count) return double.PositiveInfinity;
        return (double)acquired.Max() / acquired.Min();
    }
}
