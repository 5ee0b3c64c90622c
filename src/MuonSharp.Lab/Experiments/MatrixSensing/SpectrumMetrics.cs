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
/// ATSR = max_k t_k / min_k t_k over K diagonal blocks of W, t_k the step at which block k first
/// reaches a threshold fraction f of its <em>final</em> singular-value mass (the nuclear norm of the
/// diagonal block W_kk): t_k = min { t ≥ 0 : mass_k(t) ≥ f·mass_k(T) }. ATSR = 1 means every block is
/// learned at the same time; large ATSR means some blocks are learned much later than others.
/// <para>
/// Edge cases, stated so they can be read off the reports: a block that already holds f of its final
/// mass at W₀ has t_k = 0, so ATSR = +∞ when another block needed steps (and NaN when every block
/// has t_k = 0: nothing was acquired); a block that ends with no mass has nothing to acquire
/// (t_k = −1) and makes ATSR undefined (NaN).
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
    /// The acquisition step of one block: the first t ≥ 0 with mass(t) ≥ <paramref name="fraction"/>·mass(T);
    /// −1 when the final mass is not positive.
    /// </summary>
    /// <param name="mass">mass(t) for t = 0..T.</param>
    /// <param name="fraction">f in (0, 1].</param>
    public static int AcquisitionStep(IReadOnlyList<double> mass, double fraction)
    {
        if (mass.Count == 0 || !(mass[^1] > 0)) return -1;
        double target = fraction * mass[^1];
        for (int t = 0; t < mass.Count; t++)
            if (mass[t] >= target) return t;
        return mass.Count - 1;
    }

    /// <summary>ATSR = max_k t_k / min_k t_k; +∞ when some block has t_k = 0 and another not; NaN when a block ends without mass or every t_k is 0.</summary>
    /// <param name="blockMasses">blockMasses[k][t] = mass of block k after step t (t = 0..T).</param>
    /// <param name="fraction">f in (0, 1].</param>
    public static double SpreadRatio(IReadOnlyList<IReadOnlyList<double>> blockMasses, double fraction)
    {
        var times = blockMasses.Select(m => AcquisitionStep(m, fraction)).ToList();
        if (times.Count == 0 || times.Any(t => t < 0) || times.All(t => t == 0)) return double.NaN;
        if (times.Min() == 0) return double.PositiveInfinity;
        return (double)times.Max() / times.Min();
    }
}
