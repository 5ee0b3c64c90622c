using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MuonSharp;

/// <summary>
/// One monitored weight: its name, the module whose input feeds it (when there is one the monitor
/// can read as a matrix), the inputs captured since the last <see cref="SpectralMonitor.Record"/> and
/// the copy of the weight kept over the optimizer step that follows an observed step.
/// </summary>
internal sealed class SpectralMonitorLayer : IDisposable
{
    private readonly List<Tensor> _inputs = new();
    private readonly Action? _removeHook;
    private Tensor? _observedWeight;
    private readonly Scalar _one = 1.ToScalar();   // held for the layer's lifetime: libtorch reads it during add

    /// <summary>Monitors <paramref name="weight"/>; when <paramref name="module"/> is given, its training-mode inputs are captured.</summary>
    public SpectralMonitorLayer(string name, Parameter weight, nn.Module<Tensor, Tensor>? module, Func<bool> capturing)
    {
        Name = name;
        Weight = weight;
        Module = module;
        if (module is null) return;
        var hook = module.register_forward_hook((self, input, output) =>
        {
            // Evaluation forwards (eval mode or no_grad) do not produce the gradient being measured.
            if (capturing() && self.training && is_grad_enabled() && input.is_floating_point())
                _inputs.Add(input.detach().DetachFromDisposeScope());   // a reference, not a copy: autograd keeps it alive anyway
            return output;
        });
        _removeHook = hook.remove;
    }

    /// <summary>The weight's name in the model's <c>named_parameters()</c>.</summary>
    public string Name { get; }

    /// <summary>The weight, ≥ 2-D.</summary>
    public Parameter Weight { get; }

    /// <summary>The module whose input is this weight's activations, or null when none can be read as a matrix.</summary>
    public nn.Module<Tensor, Tensor>? Module { get; }

    /// <summary>The weight's shape as text, e.g. <c>[128, 9216]</c>.</summary>
    public string Shape => $"[{string.Join(", ", Weight.shape)}]";

    /// <summary>
    /// The Gram matrix of the incoming activations of every training-mode forward since the last clear,
    /// pooled along the sample dimension — the Gram of A <c>[samples, in]</c> (conv inputs as unfolded
    /// patches), the smaller of AᵀA and AAᵀ — or null when none was captured or an input cannot be read
    /// as this weight's activations.
    /// </summary>
    public Tensor? PooledActivationGram()
    {
        if (_inputs.Count == 0) return null;
        long fanIn = Weight.numel() / Weight.shape[0];
        if (Module is Conv2d conv)
        {
            // Conv2d is a Linear layer on each k×k patch: its activation matrix is the unfolded input
            // [batch·positions, in·kh·kw]. Its Gram is summed per image from [batch, in·kh·kw, positions] —
            // reshaping the unfolded tensor to rows would copy it, which costs more than the GEMM. Grouped,
            // transposed, non-zero-padded or string-padded convolutions are not that matrix: no activation metrics.
            if (conv.groups != 1 || conv.transposed || conv.padding_mode != PaddingModes.Zeros || conv.padding_type is not null || conv.padding is null) return null;
            if (_inputs.Any(input => input.dim() != 4)) return null;
            Tensor? gram = null;
            // A few images at a time: the whole batch's unfolded input (42 MB for the MNIST CNN's second conv)
            // is written to memory and read back, a chunk of about UnfoldChunkBytes stays in cache. Timed on
            // that conv ([64, 32, 26, 26], minima of 10 calls, load average 6 on 2 cores): 52–86 ms in chunks of
            // 1–8 images against 124 ms for the whole batch at once.
            foreach (var chunk in _inputs.SelectMany(input => input.split(ImagesPerChunk(input, conv))))
            {
                using var chunkScope = NewDisposeScope();
                var patches = nn.functional.unfold(chunk, (conv.kernel_size[0], conv.kernel_size[1]),
                    (conv.dilation[0], conv.dilation[1]), (conv.padding[0], conv.padding[1]), (conv.stride[0], conv.stride[1]));   // [images, in·kh·kw, positions]
                var perImage = patches.matmul(patches.transpose(1, 2)).sum(new long[] { 0 });                                                    // [in·kh·kw, in·kh·kw]
                gram = (gram is null ? perImage : gram.add(perImage, _one)).MoveToOuterDisposeScope();
            }
            return gram;
        }
        // Linear and any module applying its weight to the last dimension: [..., in] → rows [samples, in].
        if (_inputs.Any(input => input.shape[^1] != fanIn)) return null;
        var rows = _inputs.Count == 1 ? _inputs[0].reshape(-1, fanIn) : cat(_inputs.Select(input => input.reshape(-1, fanIn)).ToList(), 0);
        return Spectral.SmallerGram(rows);
    }

    /// <summary>Bytes of unfolded patches handled at once when a conv's activation Gram is formed.</summary>
    private const long UnfoldChunkBytes = 2 << 20;

    /// <summary>How many images of <paramref name="input"/> unfold into about <see cref="UnfoldChunkBytes"/>.</summary>
    private static long ImagesPerChunk(Tensor input, Conv2d conv)
    {
        long positions = 1;
        for (int axis = 0; axis < 2; axis++)
        {
            long span = conv.dilation[axis] * (conv.kernel_size[axis] - 1) + 1;
            positions *= Math.Max(1, (input.shape[2 + axis] + 2 * conv.padding![axis] - span) / conv.stride[axis] + 1);
        }
        long bytesPerImage = input.shape[1] * conv.kernel_size[0] * conv.kernel_size[1] * positions * input.element_size();
        return Math.Max(1, UnfoldChunkBytes / bytesPerImage);
    }

    /// <summary>Forgets the captured inputs.</summary>
    public void ClearActivations()
    {
        foreach (var input in _inputs) input.Dispose();
        _inputs.Clear();
    }

    /// <summary>Keeps a copy of the weight as it is now, replacing an older copy.</summary>
    public void KeepObservedWeight()
    {
        DropObservedWeight();
        using (no_grad()) _observedWeight = Weight.detach().clone().DetachFromDisposeScope();
    }

    /// <summary>The copy kept by <see cref="KeepObservedWeight"/>, or null.</summary>
    public Tensor? ObservedWeight => _observedWeight;

    /// <summary>Disposes the kept copy.</summary>
    public void DropObservedWeight()
    {
        _observedWeight?.Dispose();
        _observedWeight = null;
    }

    /// <summary>Removes the hook and frees what the layer holds.</summary>
    public void Dispose()
    {
        _removeHook?.Invoke();
        _one.Dispose();
        ClearActivations();
        DropObservedWeight();
    }
}
