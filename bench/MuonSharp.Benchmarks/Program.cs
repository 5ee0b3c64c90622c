using BenchmarkDotNet.Running;
using MuonSharp.Benchmarks;
using static TorchSharp.torch;

// `--threads N` (ours, removed before BenchmarkDotNet sees the arguments) sets libtorch's intra-op
// thread count; without it libtorch's default (one per core) applies.
var arguments = args.ToList();
int option = arguments.IndexOf("--threads");
if (option >= 0)
{
    if (option + 1 >= arguments.Count || !int.TryParse(arguments[option + 1], out int threads) || threads < 1)
    {
        Console.Error.WriteLine("--threads needs a positive whole number, e.g. --threads 1.");
        return 2;
    }
    set_num_threads(threads);
    arguments.RemoveRange(option, 2);
}

// The machine the numbers come from, printed before BenchmarkDotNet's own environment block.
Console.WriteLine($"// libtorch intra-op threads: {get_num_threads()}; TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}");
BenchmarkSwitcher.FromAssembly(typeof(BenchmarkConfig).Assembly).Run(arguments.ToArray(), new BenchmarkConfig());
return 0;
