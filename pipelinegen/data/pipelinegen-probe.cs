// pipelinegen-probe: the health probe of chiseled (shell-less) .NET images, which have no curl
// or wget. It GETs one URL and exits 0 when the answer is 2xx, 1 otherwise. Base class library
// only; published in the build stage, run by the runtime's own `dotnet`.
using System;
using System.Net.Http;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: dotnet pipelinegen-probe.dll http://HOST:PORT/PATH");
    return 2;
}
try
{
    using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(4) };
    using var response = await client.GetAsync(args[0]);
    if (response.IsSuccessStatusCode)
    {
        return 0;
    }
    Console.Error.WriteLine($"{args[0]} answered {(int)response.StatusCode}");
    return 1;
}
catch (Exception problem)
{
    Console.Error.WriteLine($"{args[0]}: {problem.Message}");
    return 1;
}
