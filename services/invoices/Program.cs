// Invoices of print orders: GET /invoices/total?lines=price_cents*quantity,... answers the
// total in cents; /health answers 200. Listens on $PORT (the image also sets
// ASPNETCORE_HTTP_PORTS to the same port).
using Invoices;

var port = Environment.GetEnvironmentVariable("PORT") ?? "8050";
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls($"http://0.0.0.0:{port}");
var app = builder.Build();

app.MapGet("/health", () => Results.Text("ok\n"));
app.MapGet("/invoices/total", (string? lines) =>
    Invoice.Total(lines ?? "") is long total
        ? Results.Text($"{{\"total_cents\": {total}}}\n", "application/json")
        : Results.BadRequest("lines are price_cents*quantity, comma-separated\n"));

app.Run();
