#!/usr/bin/python3
# Writes resnet_block.onnx, the model of test_model_layers.cpp: a small
# ResNet-style network (batch dynamic) exported by torch, whose Conv nodes
# cover every case `tune --model` sorts: 3x3, 5x5 and 7x7 convolutions it
# tunes (two of one shape), and a stride-2 conv, a 1x1 shortcut, a 1x1, a
# grouped and a dilated conv it skips, and a 1x3 and a rows-only padded conv it takes.
# Needs Debian's python3-torch and python3-onnx: /usr/bin/python3 make_resnet_block.py
import os
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(8, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.down = nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.shortcut = nn.Conv2d(8, 16, 1, stride=2)
        self.conv3 = nn.Conv2d(16, 16, 3, padding=1)
        self.squeeze = nn.Conv2d(16, 16, 1)
        self.conv5 = nn.Conv2d(16, 8, 5, padding=2)
        self.valid = nn.Conv2d(8, 8, 3)
        self.conv7 = nn.Conv2d(8, 4, 7, padding=3)
        self.depthwise = nn.Conv2d(8, 8, 3, padding=1, groups=8)
        self.dilated = nn.Conv2d(8, 8, 3, padding=2, dilation=2)
        self.row = nn.Conv2d(8, 8, (1, 3), padding=(0, 1))
        self.rows_padded = nn.Conv2d(8, 8, 3, padding=(1, 0))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(x + self.conv2(y))
        x = torch.relu(self.down(x) + self.shortcut(x))
        x = torch.relu(self.squeeze(self.conv3(x)))
        x = self.conv5(x)
        z = self.depthwise(self.dilated(self.row(x)))
        return self.conv7(self.valid(x)), self.rows_padded(z)


torch.manual_seed(0)
model = Block().eval()
here = os.path.dirname(os.path.abspath(__file__))
torch.onnx.export(model, torch.randn(1, 8, 20, 20), os.path.join(here, "resnet_block.onnx"), input_names=["image"],
                  output_names=["features", "side"], dynamic_axes={"image": {0: "batch"}}, opset_version=13)
