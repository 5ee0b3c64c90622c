using MuonSharp.Lab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MuonSharp.Lab.Experiments.DeepLinear;

/// <summary>
/// One regression problem of <c>000 §3</c>: Gaussian inputs, targets y = W*x + noise, and the data
/// statistics the theorems are written in. The formulas were lost in the paper's text extraction;
/// from its words and the standard deep-linear setting (Saxe et al. 2013) we use:
/// <code>
/// L(W₁, W₂) = (1/2n)·‖X W₁ᵀ W₂ᵀ − Y‖²_F          X: [n, d], Y: [n, c]
/// Σxx = XᵀX / n  (= I, "we assume Σxx = I")      Σyx = YᵀX / n = U S Vᵀ,  s₁ > s₂ > …
/// </code>
/// The learned modes are the singular pairs (uᵢ, sᵢ, vᵢ) of Σyx, and the quantity both theorems
/// describe is σᵢ(t) = uᵢᵀ W₂W₁ vᵢ.
/// </summary>
internal sealed class DeepLinearProblem : IDisposable
{
    private DeepLinearProblem(Tensor inputs, Tensor targets, Tensor leftModes, Tensor rightModes, double[] modeTargets, double minimumLoss)
    {
        Inputs = inputs;
        Targets = targets;
        LeftModes = leftModes;
        RightModes = rightModes;
        ModeTargets = modeTargets;
        MinimumLoss = minimumLoss;
    }

    /// <summary>Inputs X, <c>[n, d]</c>, float64.</summary>
    public Tensor Inputs { get; }

    /// <summary>Targets Y, <c>[n, c]</c>, float64.</summary>
    public Tensor Targets { get; }

    /// <summary>u₁..u_k: the top-k left singular vectors of Σyx, <c>[c, k]</c>.</summary>
    public Tensor LeftModes { get; }

    /// <summary>v₁..v_k: the top-k right singular vectors of Σyx, <c>[d, k]</c>.</summary>
    public Tensor RightModes { get; }

    /// <summary>s₁..s_k: the top-k singular values of Σyx — the values σᵢ(t) converge to.</summary>
    public double[] ModeTargets { get; }

    /// <summary>
    /// The least loss a width-h network can reach: the least-squares loss plus ½ of the squared
    /// singular values of Σyx·Σxx^{-1/2} beyond rank h (reduced-rank regression; the second term is
    /// zero when h ≥ min(c, d)). Excess loss = loss − this.
    /// </summary>
    public double MinimumLoss { get; }

    /// <summary>
    /// Draws the problem of <paramref name="seed"/> (CPU, float64): the teacher's singular vectors, the
    /// inputs and the label noise each from their own seed stream (<c>teacher</c>, <c>inputs</c>, <c>noise</c>).
    /// </summary>
    /// <param name="config">Dimensions, planted spectrum, noise, whitening.</param>
    /// <param name="seed">The run's seed.</param>
    public static DeepLinearProblem Generate(DeepLinearConfig config, int seed)
    {
        int d = config.InputDim, c = config.OutputDim, n = config.Samples, k = config.Modes;
        using var teacherGenerator = SeedStreams.Generator(seed, "teacher");
        using var inputGenerator = SeedStreams.Generator(seed, "inputs");
        using var noiseGenerator = SeedStreams.Generator(seed, "noise");
        using var scope = NewDisposeScope();
        using var held = new HeldScalars();

        // Planted teacher W* = P diag(s) Qᵀ with P, Q random orthonormal columns (QR of a Gaussian).
        var p = RandomOrthonormalColumns(c, k, teacherGenerator);                      // [c, k]
        var q = RandomOrthonormalColumns(d, k, teacherGenerator);                      // [d, k]
        var s = tensor(config.TargetSingularValues, dtype: ScalarType.Float64);        // [k]
        var teacher = (p * s.unsqueeze(0)).matmul(q.mT);                               // [c, d]

        var x = randn(new long[] { n, d }, dtype: ScalarType.Float64, generator: inputGenerator);   // [n, d]
        if (config.WhitenInputs) x = x.matmul(InverseSquareRoot(x.mT.matmul(x).div(held[n])));   // now XᵀX/n = I
        var noise = randn(new long[] { n, c }, dtype: ScalarType.Float64, generator: noiseGenerator);
        var y = x.matmul(teacher.mT).add(noise.mul(held[config.NoiseStd]), held[1]);   // [n, c]: XW*ᵀ + noise·std

        var sigmaXX = x.mT.matmul(x).div(held[n]);                                     // [d, d]
        var sigmaYX = y.mT.matmul(x).div(held[n]);                                     // [c, d]
        var (u, sv, vh) = linalg.svd(sigmaYX, fullMatrices: false);
        var modeTargets = sv.narrow(0, 0, k).data<double>().ToArray();

        double minimumLoss = MinimumLossOf(x, y, sigmaXX, sigmaYX, config.HiddenWidth);
        return new DeepLinearProblem(
            x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope(),
            u.narrow(1, 0, k).contiguous().MoveToOuterDisposeScope(),
            vh.narrow(0, 0, k).mT.contiguous().MoveToOuterDisposeScope(),
            modeTargets, minimumLoss);
    }

    /// <summary>L = (1/2n)‖X W₁ᵀW₂ᵀ − Y‖²_F for the given factors (differentiable).</summary>
    /// <param name="w1">W₁, <c>[h, d]</c>.</param>
    /// <param name="w2">W₂, <c>[c, h]</c>.</param>
    public Tensor Loss(Tensor w1, Tensor w2)
    {
        var residual = Inputs.matmul(w1.mT).matmul(w2.mT) - Targets;                  // [n, c]
        using var s = new HeldScalars();
        return residual.pow(s[2]).sum().div(s[2.0 * Inputs.shape[0]]);               // ‖R‖²_F / 2n
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Inputs.Dispose();
        Targets.Dispose();
        LeftModes.Dispose();
        RightModes.Dispose();
    }

    /// <summary>An m×k matrix with orthonormal columns, Haar-distributed (QR of a Gaussian with R's signs fixed).</summary>
    private static Tensor RandomOrthonormalColumns(int m, int k, Generator generator)
    {
        var (qm, r) = linalg.qr(randn(new long[] { m, k }, dtype: ScalarType.Float64, generator: generator));
        var signs = r.diagonal().sign();
        using var s = new HeldScalars();
        signs = where(signs == s[0], ones_like(signs), signs);
        return qm * signs.unsqueeze(0);
    }

    /// <summary>A^{-1/2} of a symmetric positive-definite matrix by its eigendecomposition.</summary>
    private static Tensor InverseSquareRoot(Tensor a)
    {
        var (lambda, e) = linalg.eigh(a);
        return (e * lambda.rsqrt().unsqueeze(0)).matmul(e.mT);
    }

    /// <summary>
    /// With W_ls = Σyx Σxx⁻¹, L(W) = L(W_ls) + ½‖(W − W_ls) Σxx^{1/2}‖²_F, so the best rank-h W costs
    /// L(W_ls) + ½ Σ_{i&gt;h} σᵢ(Σyx Σxx^{-1/2})² (Eckart–Young).
    /// </summary>
    private static double MinimumLossOf(Tensor x, Tensor y, Tensor sigmaXX, Tensor sigmaYX, int hidden)
    {
        int n = (int)x.shape[0];
        var (lambda, e) = linalg.eigh(sigmaXX);
        var inverse = (e * lambda.reciprocal().unsqueeze(0)).matmul(e.mT);
        var leastSquares = sigmaYX.matmul(inverse);                                    // [c, d]
        using var s = new HeldScalars();
        double loss = (x.matmul(leastSquares.mT) - y).pow(s[2]).sum().ToDouble() / (2.0 * n);
        var whitened = sigmaYX.matmul((e * lambda.rsqrt().unsqueeze(0)).matmul(e.mT));
        var sv = linalg.svdvals(whitened).data<double>().ToArray();
        for (int i = hidden; i < sv.Length; i++) loss += 0.5 * sv[i] * sv[i];
        return loss;
    }
}
