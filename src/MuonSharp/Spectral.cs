using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp;

/// <summary>
/// Spectral diagnostics that explain what spectral optimizers do: stable rank st(A) = ‖A‖²_F/‖A‖²_op,
/// nuclear rank nr(G) = ‖G‖²_*/‖G‖²_F, effective rank exp(H(p)) with p_i = σ_i/Σσ_j (Roy &amp; Vetterli
/// 2007), spectral entropy H(p). Every function computes in float64 and returns plain doubles; inputs are matrices
/// (trailing dimensions are flattened into columns, as the optimizers do) and are never modified.
/// </summary>
public static partial class Spectral
{
    /// <summary>Singular values of <paramref name="matrix"/>, largest first.</summary>
    /// <param name="matrix">A tensor with at least 2 dimensions; <c>[m, n, ...]</c> is read as <c>[m, n·...]</c>.</param>
    public static double[] SingularValues(Tensor matrix)
    {
        using var scope = NewDisposeScope();
        var m = AsMatrix(matrix);
        return linalg.svdvals(m).data<double>().ToArray();
    }

    /// <summary>Nuclear norm ‖A‖_* = Σσᵢ.</summary>
    /// <param name="matrix">A matrix.</param>
    public static double NuclearNorm(Tensor matrix) => SingularValues(matrix).Sum();

    /// <summary>Frobenius norm ‖A‖_F = √Σσᵢ².</summary>
    /// <param name="matrix">A matrix.</param>
    public static double FrobeniusNorm(Tensor matrix)
    {
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();
        return AsMatrix(matrix).pow(s[2]).sum().sqrt().item<double>();   // pow(2) is what square() runs, with its Scalar held
    }

    /// <summary>Operator (spectral) norm ‖A‖_op = σ₁.</summary>
    /// <param name="matrix">A matrix.</param>
    public static double OperatorNorm(Tensor matrix) => SingularValues(matrix) is { Length: > 0 } s ? s[0] : 0;

    /// <summary>Stable rank st(A) = ‖A‖²_F / ‖A‖²_op, between 1 and rank(A); 0 for the zero matrix.</summary>
    /// <param name="matrix">A matrix.</param>
    public static double StableRank(Tensor matrix) => StableRankOf(SingularValues(matrix));

    /// <summary>st = Σσᵢ² / σ₁² of singular values given largest first; 0 when they are all zero.</summary>
    internal static double StableRankOf(double[] s) => s.Length == 0 || s[0] == 0 ? 0 : s.Sum(x => x * x) / (s[0] * s[0]);

    /// <summary>Nuclear rank nr(G) = ‖G‖²_* / ‖G‖²_F, between 1 and rank(G); 0 for the zero matrix.</summary>
    /// <param name="matrix">A matrix.</param>
    public static double NuclearRank(Tensor matrix) => NuclearRankOf(SingularValues(matrix));

    /// <summary>nr = (Σσᵢ)² / Σσᵢ² of singular values; 0 when they are all zero.</summary>
    internal static double NuclearRankOf(double[] s)
    {
        double frobeniusSquared = s.Sum(x => x * x);
        return frobeniusSquared == 0 ? 0 : s.Sum() * s.Sum() / frobeniusSquared;
    }

    /// <summary>‖G‖_* / ‖G‖_F = √nr(G), between 1 and √rank(G); 0 for the zero matrix.</summary>
    /// <param name="matrix">A matrix.</param>
    public static double NuclearToFrobeniusRatio(Tensor matrix) => Math.Sqrt(NuclearRank(matrix));

    /// <summary>
    /// Spectral entropy H(p) = −Σ pᵢ log pᵢ with pᵢ = σᵢ / Σσⱼ (natural log; zero σ contribute 0).
    /// </summary>
    /// <param name="matrix">A matrix; the zero matrix has entropy 0.</param>
    public static double SpectralEntropy(Tensor matrix) => EntropyOf(SingularValues(matrix));

    /// <summary>Effective rank (Roy &amp; Vetterli 2007) exp(H(p)), between 1 and rank(A); 0 for the zero matrix.</summary>
    /// <param name="matrix">A matrix.</param>
    public static double EffectiveRank(Tensor matrix) => EffectiveRankOf(SingularValues(matrix));

    /// <summary>exp of the spectral entropy of singular values; 0 when they are all zero.</summary>
    internal static double EffectiveRankOf(double[] s) => s.Sum() == 0 ? 0 : Math.Exp(EntropyOf(s));

    private static double EntropyOf(double[] singularValues)
    {
        double total = singularValues.Sum();
        if (total == 0) return 0;
        return -singularValues.Where(x => x > 0).Select(x => x / total).Sum(p => p * Math.Log(p));
    }

    /// <summary>Reads <paramref name="tensor"/> as a float64 matrix <c>[shape0, rest]</c>.</summary>
    /// <param name="tensor">The tensor to read.</param>
    /// <param name="paramName">The caller's parameter name, for error messages (filled in by the compiler).</param>
    internal static Tensor AsMatrix(Tensor tensor, [CallerArgumentExpression(nameof(tensor))] string? paramName = null)
    {
        ArgumentNullException.ThrowIfNull(tensor, paramName);
        if (tensor.dim() < 2)
            throw new ArgumentException($"Expected a matrix (at least 2 dimensions); got shape [{string.Join(", ", tensor.shape)}].", paramName);
        if (!tensor.is_floating_point())
            throw new ArgumentException($"Expected a floating-point tensor; got {tensor.dtype}.", paramName);
        // Columns spelled out rather than -1: reshape cannot infer -1 when there are no rows ([0, n]).
        long columns = tensor.shape.Skip(1).Aggregate(1L, (product, size) => product * size);
        return tensor.detach().reshape(tensor.shape[0], columns).to(ScalarType.Float64);
    }
}
