# PyTorch twin of percent_format.tx
import torch; torch.set_default_dtype(torch.float64)
x = 3
loss = torch.tensor(0.123456, requires_grad=True) * 2
n = (torch.tensor([1, 2, 3]) > 1).sum()
acc = float(n) / 7
print('a %d b' % x, 'loss = %.4f' % loss.item(), '%s|%5s|%-5s|' % ('p', 'q', 'r'))
print('Got %d / %d correct (%.2f%%)' % (n, 7, 100 * acc))
print('%+d % d %05d %-4d| %x' % (5, 5, 42, 7, 255) if False else '%+d % d %05d %-4d|' % (5, 5, 42, 7))
print('%r %s %r' % ('it', 2.5, 1.0), '%e %g %G %10.3E' % (12345.678, 0.0001, 1e20, 3.14159))
print('%d %i' % (3.99, -2.5), '%s' % [1, 2], '%s' % (loss,), 'tensor %s' % torch.ones(2))
print('%.3f' % loss, '%d' % True, '%5.1f%%' % 99.44, '%%' % ())
