using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.Factorization;

/// <summary>
/// The problem of <c>003</c>: minimize L(P, Q) = ‖M* − PᵀQ‖²_F over P, Q ∈ R^(N×d), with M* ∈ R^(d×d)
/// a planted diagonal target. Everything is float64.
/// </summary>
/// <remarks>
/// <para>
/// The extracted paper lost its formulas; the gradients below are derived here. With the residual
/// E = M* − PᵀQ, dL = −2⟨E, dPᵀQ + PᵀdQ⟩, so ∇_P L = −2QEᵀ and ∇_Q L = −2PE (both [N, d]).
/// The loss is the paper's objective as written (no ½), which fixes GD's Hessian scale: at the
/// balanced aligned minimum its top eigenvalue is 4·s_max (per mode (p, q) the Hessian is
/// 2[[q², pq], [pq, p²]] with p = q = √s).
/// </para>
/// <para>
/// Because M* is diagonal its singular vectors are the standard basis (U = V = I); the code still
/// goes through U and V so that "projected on the target's singular vectors" reads as it says.
/// </para>
/// </remarks>
public sealed class FactorizationProblem : IDisposable
{
    /// <summary>Creates the problem for a target with the given singular values (largest first).</summary>
    /// <param name="singularValues">s_1 ≥ … ≥ s_d &gt; 0.</param>
    /// <param name="hidden">Inner dimension N (N &lt; d is the under-parameterized case of the alignment-rate part).</param>
    public FactorizationProblem(IReadOnlyList<double> singularValues, int hidden)
    {
        if (singularValues.Count < 1) throw new ArgumentException("The target needs at least one singular value.", nameof(singularValues));
        if (hidden < 1) throw new ArgumentOutOfRangeException(nameof(hidden), hidden, "Need N ≥ 1.");
        SingularValues = singularValues.ToArray();
        Hidden = hidden;
        Target = diag(tensor(SingularValues, ScalarType.Float64)); // [d, d]
        U = eye(Dim, dtype: ScalarType.Float64);                   // [d, d] left singular vectors of M*
        V = eye(Dim, dtype: ScalarType.Float64);                   // [d, d] right singular vectors of M*
        TargetNormSquared = SingularValues.Sum(s => s * s);
    }

    /// <summary>
    /// The planted spectrum of condition number κ: s_k = s_max / (1 + (κ − 1)(k − 1)/(d − 1)), k = 1..d.
    /// With κ = d it is 003's s_max/k (10/k for d = 32); κ = 1 is flat.
    /// </summary>
    /// <param name="dim">d ≥ 2.</param>
    /// <param name="scale">s_max.</param>
    /// <param name="kappa">s_1 / s_d ≥ 1.</param>
    public static double[] HarmonicSpectrum(int dim, double scale, double kappa) =>
        Enumerable.Range(0, dim).Select(i => scale / (1 + (kappa - 1) * i / (dim - 1.0))).ToArray();

    /// <summary>Target singular values s_1 ≥ … ≥ s_d.</summary>
    public double[] SingularValues { get; }

    /// <summary>d.</summary>
    public int Dim => SingularValues.Length;

    /// <summary>N.</summary>
    public int Hidden { get; }

    /// <summary>M*, [d, d].</summary>
    public Tensor Target { get; }

    /// <summary>Left singular vectors of M*, [d, d].</summary>
    public Tensor U { get; }

    /// <summary>Right singular vectors of M*, [d, d].</summary>
    public Tensor V { get; }

    /// <summary>‖M*‖²_F = Σ s_k², the loss at P = Q = 0.</summary>
    public double TargetNormSquared { get; }

    /// <summary>L(P, Q) = ‖M* − PᵀQ‖²_F as a tensor (differentiable when P, Q require grad).</summary>
    /// <param name="p">[N, d].</param>
    /// <param name="q">[N, d].</param>
    public Tensor LossTensor(Tensor p, Tensor q)
    {
        using var s = new HeldScalars();
        return (Target - p.T.matmul(q)).pow(s[2]).sum();
    }

    /// <summary>L(P, Q) as a number.</summary>
    /// <param name="p">[N, d].</param>
    /// <param name="q">[N, d].</param>
    public double Loss(Tensor p, Tensor q)
    {
        using var scope = NewDisposeScope();
        return LossTensor(p, q).item<double>();
    }

    /// <summary>∇_P L = −2QEᵀ and ∇_Q L = −2PE with E = M* − PᵀQ (derived above); both [N, d].</summary>
    /// <param name="p">[N, d].</param>
    /// <param name="q">[N, d].</param>
    public (Tensor GradP, Tensor GradQ) Gradients(Tensor p, Tensor q)
    {
        var e = Target - p.T.matmul(q); // [d, d]
        using var s = new HeldScalars();
        return (q.matmul(e.T).mul(s[-2]), p.matmul(e).mul(s[-2]));   // −2QEᵀ, −2PE
    }

    /// <summary>Small random start (003): P, Q with N(0, 1) × <paramref name="scale"/> entries.</summary>
    /// <param name="scale">Init scale (5e-3 in 003).</param>
    /// <param name="generator">Seeded source of randomness.</param>
    public (Tensor P, Tensor Q) SmallRandomInit(double scale, Generator generator)
    {
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();
        var p = randn(new long[] { Hidden, Dim }, ScalarType.Float64, generator: generator).mul(s[scale]);
        var q = randn(new long[] { Hidden, Dim }, ScalarType.Float64, generator: generator).mul(s[scale]);
        return (p.MoveToOuterDisposeScope(), q.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Small orthogonal start of 003's two-step schedule (the authors' <c>fig4.ipynb</c>): P = α·O_P,
    /// Q = α·O_Q, each O the orthonormal factor of a QR decomposition of an N×d Gaussian matrix with
    /// its column signs fixed by sign(diag R), so that O is Haar-distributed rather than biased by
    /// the decomposition's sign convention.
    /// </summary>
    /// <param name="scale">α.</param>
    /// <param name="generator">Seeded source of randomness.</param>
    public (Tensor P, Tensor Q) SmallOrthogonalInit(double scale, Generator generator)
    {
        using var scope = NewDisposeScope();
        using var s = new HeldScalars();
        var p = HaarColumns(generator).mul(s[scale]);
        var q = HaarColumns(generator).mul(s[scale]);
        return (p.MoveToOuterDisposeScope(), q.MoveToOuterDisposeScope());
    }

    private Tensor HaarColumns(Generator generator)
    {
        var (o, r) = linalg.qr(randn(new long[] { Hidden, Dim }, ScalarType.Float64, generator: generator)); // [N, d], [d, d]
        return o * r.diagonal().sign().unsqueeze(0);
    }

    /// <summary>
    /// An aligned but unbalanced start: P = R diag(p₀) Uᵀ and Q = R diag(q₀) Vᵀ with one random
    /// R ∈ R^(N×d) with orthonormal columns shared by both factors, and p₀, q₀ drawn independently
    /// and uniformly from [low, high] per mode. This is the premise of claim (b): the factors are
    /// aligned with each other and with the target, and √(PPᵀ) − √(QQᵀ) = R diag(p₀ − q₀) Rᵀ ≠ 0.
    /// </summary>
    /// <param name="low">Smallest factor singular value.</param>
    /// <param name="high">Largest factor singular value.</param>
    /// <param name="generator">Seeded source of randomness.</param>
    public (Tensor P, Tensor Q) AlignedInit(double low, double high, Generator generator)
    {
        if (Hidden < Dim) throw new InvalidOperationException($"The aligned start needs N ≥ d; N = {Hidden}, d = {Dim}.");
        using var scope = NewDisposeScope();
        var (r, _) = linalg.qr(randn(new long[] { Hidden, Dim }, ScalarType.Float64, generator: generator)); // [N, d]
        using var s = new HeldScalars();
        var p0 = rand(new long[] { Dim }, ScalarType.Float64, generator: generator).mul(s[high - low]).add(s[low], s[1]);   // uniform in [low, high)
        var q0 = rand(new long[] { Dim }, ScalarType.Float64, generator: generator).mul(s[high - low]).add(s[low], s[1]);
        var p = r.matmul(diag(p0)).matmul(U.T);
        var q = r.matmul(diag(q0)).matmul(V.T);
        return (p.MoveToOuterDisposeScope(), q.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Target.Dispose();
        U.Dispose();
        V.Dispose();
    }
}
