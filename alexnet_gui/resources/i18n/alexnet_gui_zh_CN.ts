<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name></name>
    <message>
        <source>Filter by label or file name…</source>
        <translation>按标签或文件名筛选…</translation>
    </message>
    <message>
        <source>Filter by label or file name</source>
        <translation>按标签或文件名筛选</translation>
    </message>
    <message>
        <source>Show only rows whose top-1 label or file name contains this text; Esc clears it</source>
        <translation>只显示 Top-1 标签或文件名包含此文字的行；按 Esc 清除</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Queued and classified images; click a header to sort, Delete removes rows</source>
        <translation>排队中和已分类的图像；点击表头排序，按 Delete 删除行</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source> Backend </source>
        <translation> 后端 </translation>
    </message>
    <message>
        <source>ONNX Runtime starts fast and needs no PyTorch; PyTorch also gives Grad-CAM</source>
        <translation>ONNX Runtime 启动快且不需要 PyTorch；PyTorch 还能提供 Grad-CAM</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>后端</translation>
    </message>
    <message>
        <source> Device </source>
        <translation> 设备 </translation>
    </message>
    <message>
        <source>Auto uses CUDA when the backend can, otherwise the CPU</source>
        <translation>“自动”在后端支持时使用 CUDA，否则使用 CPU</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>fp16 needs CUDA: {reason}</source>
        <translation>fp16 需要 CUDA：{reason}</translation>
    </message>
    <message>
        <source>no model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <source>Backend, the device actually used, where the weights came from, last batch speed</source>
        <translation>后端、实际使用的设备、权重来源、上一批次的速度</translation>
    </message>
    <message>
        <source>Open images…</source>
        <translation>打开图像…</translation>
    </message>
    <message>
        <source>Queue image files for classification (Ctrl+O)</source>
        <translation>将图像文件加入分类队列（Ctrl+O）</translation>
    </message>
    <message>
        <source>Open folder…</source>
        <translation>打开文件夹…</translation>
    </message>
    <message>
        <source>Queue every image in a folder and its sub-folders</source>
        <translation>将文件夹及其子文件夹中的所有图像加入队列</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Write the selected rows (or all rows) to a CSV, same columns as the command line</source>
        <translation>将选中的行（或全部行）写入 CSV，列与命令行相同</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Quit alexnet-gui</source>
        <translation>退出 alexnet-gui</translation>
    </message>
    <message>
        <source>Select all</source>
        <translation>全选</translation>
    </message>
    <message>
        <source>Select every row (Ctrl+A)</source>
        <translation>选中所有行（Ctrl+A）</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation>移除所选</translation>
    </message>
    <message>
        <source>Remove the selected rows from the table (Delete)</source>
        <translation>从表格中移除所选行（Delete）</translation>
    </message>
    <message>
        <source>Classify queued</source>
        <translation>分类排队中的图像</translation>
    </message>
    <message>
        <source>Classify every row that is still queued</source>
        <translation>对所有仍在排队的行进行分类</translation>
    </message>
    <message>
        <source>Classify all again</source>
        <translation>全部重新分类</translation>
    </message>
    <message>
        <source>Classify every row again with the model that runs now (rows keep which model made them)</source>
        <translation>用当前运行的模型重新分类每一行（每行记录由哪个模型得出）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop the running batch; rows done so far are kept</source>
        <translation>停止正在运行的批次；已完成的行会保留</translation>
    </message>
    <message>
        <source>Fast JPEG decoding</source>
        <translation>快速 JPEG 解码</translation>
    </message>
    <message>
        <source>Decode JPEGs at a reduced DCT scale before the same resize and crop: 1.6-1.8x the images/s on folders of photos, within 0.02 RMS of the exact input (the command line&apos;s --fast-decode)</source>
        <translation>以缩小的 DCT 比例解码 JPEG，再做同样的缩放和裁剪：照片文件夹上每秒图像数为 1.6-1.8 倍，与精确输入相差不超过 0.02 RMS（即命令行的 --fast-decode）</translation>
    </message>
    <message>
        <source>Keep each unit&apos;s top images</source>
        <translation>保存每个单元激活最强的图像</translation>
    </message>
    <message>
        <source>While classifying, keep the images that activate each unit most (a few MB per model, on disk), so the Unit tab&apos;s Top images answer at once for rows already classified</source>
        <translation>分类时保存最能激活每个单元的图像（每个模型在磁盘上占几 MB），这样“单元”标签页的“表格中激活最强的图像”对已分类的行可立即给出结果</translation>
    </message>
    <message>
        <source>Half precision on CUDA (fp16)</source>
        <translation>CUDA 上使用半精度（fp16）</translation>
    </message>
    <message>
        <source>Run the model in fp16 on the GPU (the command line&apos;s --precision fp16); the CPU always runs fp32</source>
        <translation>在 GPU 上以 fp16 运行模型（即命令行的 --precision fp16）；CPU 始终以 fp32 运行</translation>
    </message>
    <message>
        <source>int8 on the CPU (ONNX Runtime)</source>
        <translation>CPU 上使用 int8（ONNX Runtime）</translation>
    </message>
    <message>
        <source>Run a quantised copy of the model on the CPU, about 3x the model&apos;s fp32 speed, calibrated on 24 built-in photos (the command line&apos;s --precision int8); ONNX Runtime backend only</source>
        <translation>在 CPU 上运行模型的量化副本，速度约为 fp32 的 3 倍，用 24 张内置照片校准（即命令行的 --precision int8）；仅限 ONNX Runtime 后端</translation>
    </message>
    <message>
        <source>Classes per image (top-k)…</source>
        <translation>每张图像保留的类别数（top-k）…</translation>
    </message>
    <message>
        <source>How many classes each row keeps and Export CSV writes, 1-1000 (the command line&apos;s --top-k)</source>
        <translation>每行保留、导出 CSV 时写入的类别数，1-1000（即命令行的 --top-k）</translation>
    </message>
    <message>
        <source>Choose weights…</source>
        <translation>选择权重…</translation>
    </message>
    <message>
        <source>Download AlexNet&apos;s weights, choose a model file (PyTorch, ONNX, Keras), or use the untrained demo</source>
        <translation>下载 AlexNet 权重、选择模型文件（PyTorch、ONNX、Keras），或使用未训练的演示网络</translation>
    </message>
    <message>
        <source>About alexnet-gui</source>
        <translation>关于 alexnet-gui</translation>
    </message>
    <message>
        <source>New labelling project…</source>
        <translation>新建标注项目…</translation>
    </message>
    <message>
        <source>Create a labelling project (one SQLite file) and add images to it</source>
        <translation>新建一个标注项目（一个 SQLite 文件）并向其中添加图像</translation>
    </message>
    <message>
        <source>Open labelling project…</source>
        <translation>打开标注项目…</translation>
    </message>
    <message>
        <source>Open a labelling project: its images, their labels and the model&apos;s predictions</source>
        <translation>打开一个标注项目：其中的图像、它们的标签和模型的预测</translation>
    </message>
    <message>
        <source>Export labels…</source>
        <translation>导出标签…</translation>
    </message>
    <message>
        <source>Write the project&apos;s labels as CSV, JSON Lines or class folders that training reads</source>
        <translation>将项目的标签写出为 CSV、JSON Lines 或可供训练读取的类别文件夹</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>审阅</translation>
    </message>
    <message>
        <source>Label the project&apos;s images one by one from the keyboard, least confident first</source>
        <translation>用键盘逐张标注项目中的图像，置信度最低的优先</translation>
    </message>
    <message>
        <source>Find label errors…</source>
        <translation>查找标注错误…</translation>
    </message>
    <message>
        <source>Rank the project&apos;s labels by how likely each is wrong (cleanlab) and review them</source>
        <translation>按出错的可能性对项目的标签排序（cleanlab）并逐一审阅</translation>
    </message>
    <message>
        <source>Train on my labels…</source>
        <translation>用我的标注训练…</translation>
    </message>
    <message>
        <source>Train a model on the project&apos;s labels, then classify the unlabelled rest with it</source>
        <translation>用项目的标签训练模型，再用它分类其余未标注的图像</translation>
    </message>
    <message>
        <source>no model loaded — Model &gt; Choose weights…</source>
        <translation>未加载模型 — 模型 &gt; 选择权重…</translation>
    </message>
    <message>
        <source> · last batch {rate:.1f} images/s</source>
        <translation> · 上一批次 {rate:.1f} 张/秒</translation>
    </message>
    <message>
        <source>weights: {weights}</source>
        <translation>权重：{weights}</translation>
    </message>
    <message>
        <source>Open images</source>
        <translation>打开图像</translation>
    </message>
    <message>
        <source>Images ({pattern});;All files (*)</source>
        <translation>图像 ({pattern});;所有文件 (*)</translation>
    </message>
    <message>
        <source>{done}/{total} · ETA after the first batch</source>
        <translation>{done}/{total} · 第一批完成后估计剩余时间</translation>
    </message>
    <message>
        <source>{done}/{total} · {rate:.1f} img/s · ETA {remaining:.0f} s</source>
        <translation>{done}/{total} · {rate:.1f} 张/秒 · 剩余约 {remaining:.0f} 秒</translation>
    </message>
    <message>
        <source>loading model ({what})… a model&apos;s first start prepares it once (10-20 s); later starts take a second or two</source>
        <translation>正在加载模型（{what}）… 模型首次启动时需要一次性准备（10-20 秒）；以后启动只需一两秒</translation>
    </message>
    <message>
        <source>loading model ({what})…</source>
        <translation>正在加载模型（{what}）…</translation>
    </message>
    <message>
        <source>{label}: {done}/{total} · ETA {remaining:.0f} s</source>
        <translation>{label}：{done}/{total} · 剩余约 {remaining:.0f} 秒</translation>
    </message>
    <message>
        <source>UNTRAINED network: predictions are meaningless</source>
        <translation>未训练的网络：预测没有意义</translation>
    </message>
    <message>
        <source>Next view</source>
        <translation>下一个视图</translation>
    </message>
    <message>
        <source>Show the next tab on the right (Ctrl+PgDown or Ctrl+Tab)</source>
        <translation>显示右侧的下一个标签页（Ctrl+PgDown 或 Ctrl+Tab）</translation>
    </message>
    <message>
        <source>Previous view</source>
        <translation>上一个视图</translation>
    </message>
    <message>
        <source>Show the previous tab on the right (Ctrl+PgUp or Ctrl+Shift+Tab)</source>
        <translation>显示右侧的上一个标签页（Ctrl+PgUp 或 Ctrl+Shift+Tab）</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Every key the window answers to (F1)</source>
        <translation>窗口响应的所有按键（F1）</translation>
    </message>
</context>
<context>
    <name>AppController</name>
    <message>
        <source>The model loads once the running work ends; Esc stops it now.</source>
        <extracomment>the weights of the model that runs (or, before the first load, of the one being loaded)</extracomment>
        <translation>当前任务结束后才会加载模型；按 Esc 可立即停止当前任务。</translation>
    </message>
    <message>
        <source>Using the ImageNet weights now found in {path} instead of the untrained demo network.</source>
        <translation>已在 {path} 找到 ImageNet 权重，现用它代替未训练的演示网络。</translation>
    </message>
    <message>
        <source>Fast JPEG decoding on: it applies to the images classified from now on.</source>
        <translation>快速 JPEG 解码已开启：从现在起分类的图像生效。</translation>
    </message>
    <message>
        <source>Fast JPEG decoding off: it applies to the images classified from now on.</source>
        <translation>快速 JPEG 解码已关闭：从现在起分类的图像生效。</translation>
    </message>
    <message>
        <source>No model is loaded yet: the images stay queued and are classified as soon as one is (Model &gt; Choose weights…).</source>
        <translation>尚未加载模型：图像会留在队列中，模型一加载即开始分类（模型 &gt; 选择权重…）。</translation>
    </message>
    <message>
        <source>Cancelled; the rows done so far are kept.</source>
        <translation>已取消；已完成的行会保留。</translation>
    </message>
</context>
<context>
    <name>ArchitectureView</name>
    <message>
        <source>Computed from the loaded model&apos;s architecture with one input of its size</source>
        <translation>由已加载模型的结构，以一个其输入尺寸的样本计算得出</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>各层</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Output shape</source>
        <translation>输出形状</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>total</source>
        <translation>合计</translation>
    </message>
    <message numerus="yes">
        <source>%n layer(s), {total:,} parameters</source>
        <translation>
            <numerusform>%n 层，{total:,} 个参数</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CamView</name>
    <message>
        <source>How to find where the network looks</source>
        <extracomment>(layer, unit) when a unit is explained instead of a class (set from the feature maps)</extracomment>
        <translation>用什么方法找出网络关注的位置</translation>
    </message>
    <message>
        <source>Which of the top-5 classes to explain</source>
        <translation>解释前 5 个类别中的哪一个</translation>
    </message>
    <message>
        <source>Opacity of the map over the crop</source>
        <translation>热图叠加在裁剪图上的不透明度</translation>
    </message>
    <message>
        <source>Select a classified image</source>
        <translation>请选择一张已分类的图像</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>any class…</source>
        <translation>任意类别…</translation>
    </message>
    <message>
        <source>Type any class&apos;s name or number and press Enter to explain it</source>
        <translation>输入任意类别的名称或编号并按 Enter，查看模型对它的解释</translation>
    </message>
    <message>
        <source>Any class</source>
        <translation>任意类别</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <source>Where it looks</source>
        <translation>关注区域</translation>
    </message>
    <message>
        <source>The chosen method&apos;s map over the image&apos;s crop</source>
        <translation>所选方法的热图，叠加在图像的裁剪上</translation>
    </message>
    <message>
        <source>The model has no class “{text}”.</source>
        <translation>模型没有类别“{text}”。</translation>
    </message>
    <message>
        <source>{method} of {layer} unit {unit}</source>
        <translation>{layer} 第 {unit} 个单元的{method}</translation>
    </message>
    <message>
        <source>computing {what}… (loading PyTorch for its gradients, once: a few seconds)</source>
        <translation>正在计算{what}…（首次需加载 PyTorch 以求梯度：几秒钟）</translation>
    </message>
    <message>
        <source>computing {what}…</source>
        <translation>正在计算{what}…</translation>
    </message>
    <message>
        <source>Computing {what}…</source>
        <translation>正在计算{what}…</translation>
    </message>
    <message>
        <source>Nothing to show: see below</source>
        <translation>无可显示的内容：见下方说明</translation>
    </message>
</context>
<context>
    <name>CompareDialog</name>
    <message>
        <source>Compare backends</source>
        <translation>比较后端</translation>
    </message>
    <message>
        <source>Close this window</source>
        <translation>关闭此窗口</translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message>
        <source>Comparison</source>
        <translation>比较结果</translation>
    </message>
    <message>
        <source>Each image&apos;s top-5 and time by each backend, and whether they agree</source>
        <translation>每张图像在各后端上的前 5 个预测和用时，以及是否一致</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>{backend} top-5</source>
        <translation>{backend} 前 5</translation>
    </message>
    <message>
        <source>{backend} ms</source>
        <translation>{backend} 毫秒</translation>
    </message>
    <message>
        <source>Top-1 agree</source>
        <translation>Top-1 一致</translation>
    </message>
    <message>
        <source>Max |Δ logit|</source>
        <translation>最大 |Δ logit|</translation>
    </message>
    <message>
        <source>error: {reason}</source>
        <translation>错误：{reason}</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>NO</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>ConfusionTableModel</name>
    <message numerus="yes">
        <source>true {true}, predicted {predicted}: %n image(s) ({share:.1f}% of {true})</source>
        <extracomment>thumbnails shown for one cell (a diagonal cell of a big class can hold thousands)</extracomment>
        <translation>
            <numerusform>真实 {true}，预测 {predicted}：%n 张图像（占 {true} 的 {share:.1f}%）</numerusform>
        </translation>
    </message>
    <message>
        <source>true class</source>
        <translation>真实类别</translation>
    </message>
    <message>
        <source>predicted class</source>
        <translation>预测类别</translation>
    </message>
</context>
<context>
    <name>ConfusionView</name>
    <message>
        <source>Rows: true class. Columns: predicted class. Click a cell to see its images.</source>
        <extracomment>paths to add to the main window&apos;s table (and classify)</extracomment>
        <translation>行：真实类别。列：预测类别。点击单元格查看其中的图像。</translation>
    </message>
    <message>
        <source>Confusion matrix</source>
        <translation>混淆矩阵</translation>
    </message>
    <message>
        <source>{correct}/{images} correct ({accuracy:.2f}%) — rows: true class, columns: predicted</source>
        <translation>{correct}/{images} 正确（{accuracy:.2f}%）— 行：真实类别，列：预测类别</translation>
    </message>
    <message>
        <source> — the {shown} most confused of {present} classes</source>
        <translation> — {present} 个类别中最易混淆的 {shown} 个</translation>
    </message>
    <message>
        <source>Click a cell to see its images.</source>
        <translation>点击单元格查看其中的图像。</translation>
    </message>
    <message>
        <source>Images of the cell</source>
        <translation>单元格中的图像</translation>
    </message>
    <message>
        <source>The images of the clicked cell; select some to open only those</source>
        <translation>所点击单元格中的图像；选中部分图像则只打开这些</translation>
    </message>
    <message>
        <source>Open in the main table</source>
        <translation>在主表格中打开</translation>
    </message>
    <message>
        <source>Add these images (the selected ones, else all of the cell) to the main table</source>
        <translation>将这些图像（选中的，否则为该单元格的全部）加入主表格</translation>
    </message>
    <message>
        <source>Copy misclassified to a folder…</source>
        <translation>将分错的图像复制到文件夹…</translation>
    </message>
    <message>
        <source>Copy every misclassified image to FOLDER/&lt;true class&gt;/as &lt;predicted class&gt;/</source>
        <translation>将每张分错的图像复制到 文件夹/&lt;真实类别&gt;/as &lt;预测类别&gt;/</translation>
    </message>
    <message>
        <source>Accuracy per class</source>
        <translation>各类别准确率</translation>
    </message>
    <message>
        <source>Images and correct answers of each class</source>
        <translation>每个类别的图像数和正确数</translation>
    </message>
    <message>
        <source>class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>images</source>
        <translation>图像数</translation>
    </message>
    <message>
        <source>correct</source>
        <translation>正确</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message numerus="yes">
        <source>{true}, correct: %n image(s)</source>
        <translation>
            <numerusform>{true}，正确：%n 张图像</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{true}, predicted as {predicted}: %n image(s)</source>
        <translation>
            <numerusform>{true}，被预测为 {predicted}：%n 张图像</numerusform>
        </translation>
    </message>
    <message>
        <source> (the first {shown} shown)</source>
        <translation>（显示前 {shown} 张）</translation>
    </message>
    <message>
        <source>Copy misclassified images into</source>
        <translation>将分错的图像复制到</translation>
    </message>
    <message numerus="yes">
        <source>Copying %n image(s) to {folder}…</source>
        <translation>
            <numerusform>正在将 %n 张图像复制到 {folder}…</numerusform>
        </translation>
    </message>
    <message>
        <source>Not copied: {reason}</source>
        <translation>未复制：{reason}</translation>
    </message>
    <message numerus="yes">
        <source>Copied %n misclassified image(s) to {folder}</source>
        <translation>
            <numerusform>已将 %n 张分错的图像复制到 {folder}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>; %n failed: {reason}</source>
        <translation>
            <numerusform>；%n 个失败：{reason}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CurvesView</name>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>accuracy (%)</source>
        <translation>准确率（%）</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>验证</translation>
    </message>
</context>
<context>
    <name>DiagnosticsDialog</name>
    <message>
        <source>Diagnostics — alexnet-gui</source>
        <translation>诊断 — alexnet-gui</translation>
    </message>
    <message>
        <source>Collecting: probing ONNX Runtime&apos;s providers and PyTorch…</source>
        <translation>正在收集：探测 ONNX Runtime 的执行提供程序和 PyTorch…</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Diagnostics</source>
        <translation>诊断</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the whole report as text, e.g. for a bug report</source>
        <translation>将整份报告复制为文本，例如用于提交错误报告</translation>
    </message>
    <message>
        <source>What this installation can run on, and why not.</source>
        <translation>本安装可以在哪些设备上运行，以及不能运行的原因。</translation>
    </message>
    <message>
        <source>Close this window</source>
        <translation>关闭此窗口</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>已复制到剪贴板。</translation>
    </message>
</context>
<context>
    <name>DuplicatesDialog</name>
    <message>
        <source>finding near-duplicates</source>
        <extracomment>images shown of one group: a loose threshold can make one group of thousands (10,000 buttons froze the window for 0.9 s, and adding them a slice at a time to one row for 6 s: benchmarks/embeddings_gui_block.py); the rest of a group is counted, not shown, and is among &quot;the others&quot; like the shown ones images laid out per turn of the event loop (whole groups): thousands of small groups are shown in short turns</extracomment>
        <translation>正在查找近似重复图像</translation>
    </message>
    <message>
        <source>moving near-duplicates</source>
        <translation>正在移动近似重复图像</translation>
    </message>
    <message>
        <source>Near-duplicates</source>
        <translation>近似重复图像</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <source>The largest cosine distance of fc7 vectors within a group (0 to 2; copies re-encoded, resized or slightly cropped are usually below 0.05)</source>
        <translation>同一组内 fc7 向量的最大余弦距离（0 到 2；重新编码、缩放或轻微裁剪的副本通常低于 0.05）</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <source>Group the table&apos;s images whose distance is at most the threshold</source>
        <translation>将表格中距离不超过阈值的图像分为一组</translation>
    </message>
    <message>
        <source>Remove the others from the table</source>
        <translation>从表格中移除其余图像</translation>
    </message>
    <message>
        <source>Keep the chosen image of each group in the table; the files stay</source>
        <translation>表格中每组只保留选定的图像；文件保持不动</translation>
    </message>
    <message>
        <source>Move the others to a folder…</source>
        <translation>将其余图像移到文件夹…</translation>
    </message>
    <message>
        <source>Move the others to a folder</source>
        <translation>将其余图像移到文件夹</translation>
    </message>
    <message>
        <source>Move every image but the chosen one of each group into a folder you choose; nothing is deleted or overwritten</source>
        <translation>将每组中除选定图像外的所有图像移到你选择的文件夹；不删除也不覆盖任何文件</translation>
    </message>
    <message>
        <source>Groups</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Each group&apos;s images side by side; click the one to keep</source>
        <translation>每组的图像并排显示；点击要保留的那张</translation>
    </message>
    <message>
        <source>Press Find to group the table&apos;s images.</source>
        <translation>按“查找”将表格中的图像分组。</translation>
    </message>
    <message>
        <source>Classify at least two images first: the groups come from the table.</source>
        <translation>请先分类至少两张图像：分组来自表格。</translation>
    </message>
    <message>
        <source>Comparing {count} images…</source>
        <translation>正在比较 {count} 张图像…</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>{groups} groups of near-duplicates among {count} images (threshold {threshold}): {extra} images beyond the one kept per group.</source>
        <translation>{count} 张图像中有 {groups} 组近似重复图像（阈值 {threshold}）：除每组保留的一张外，另有 {extra} 张图像。</translation>
    </message>
    <message>
        <source>Group {number}</source>
        <translation>第 {number} 组</translation>
    </message>
    <message>
        <source>and {count} more images of this group, not shown</source>
        <translation>此组另有 {count} 张图像未显示</translation>
    </message>
    <message>
        <source>Keep this image of group {number} (cosine distance {distance:.4f} to its first image)</source>
        <translation>保留第 {number} 组的这张图像（与该组第一张图像的余弦距离为 {distance:.4f}）</translation>
    </message>
    <message>
        <source>Removed {count} rows from the table; the files are where they were.</source>
        <translation>已从表格中移除 {count} 行；文件仍在原处。</translation>
    </message>
    <message>
        <source>Move the near-duplicates to</source>
        <translation>将近似重复图像移到</translation>
    </message>
    <message>
        <source>Moved {count} images to {folder}.</source>
        <translation>已将 {count} 张图像移到 {folder}。</translation>
    </message>
    <message>
        <source>Not moved: {names}.</source>
        <translation>未移动：{names}。</translation>
    </message>
    <message>
        <source>Find near-duplicates…</source>
        <translation>查找近似重复图像…</translation>
    </message>
    <message>
        <source>Group the table&apos;s images that look alike (fc7 vectors) and keep one of each</source>
        <translation>将表格中看起来相似的图像（按 fc7 向量）分组，每组保留一张</translation>
    </message>
</context>
<context>
    <name>EmbeddingActions</name>
    <message>
        <source>Keep each image&apos;s fc7 vector</source>
        <translation>保留每张图像的 fc7 向量</translation>
    </message>
    <message>
        <source>While classifying, keep each image&apos;s fc7 vector in the embedding index (8 KB per image, on disk), so the Similar tab, the Map and Find near-duplicates answer without another pass</source>
        <translation>分类时将每张图像的 fc7 向量保存到嵌入索引（每张图像 8 KB，存于磁盘），这样“相似”标签页、分布图和“查找近似重复图像”无需再计算一遍即可给出结果</translation>
    </message>
</context>
<context>
    <name>EvaluationDialog</name>
    <message>
        <source>Accuracy — {folder}</source>
        <translation>准确率 — {folder}</translation>
    </message>
    <message>
        <source>Top-1 and top-5 accuracy, per class, and the most confused pairs</source>
        <translation>Top-1 和 Top-5 准确率、各类别准确率以及最易混淆的类别对</translation>
    </message>
    <message>
        <source>Confusion matrix</source>
        <translation>混淆矩阵</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>报告</translation>
    </message>
</context>
<context>
    <name>ExportLabelsDialog</name>
    <message>
        <source>Export labels</source>
        <translation>导出标签</translation>
    </message>
    <message>
        <source>CSV</source>
        <translation>CSV</translation>
    </message>
    <message>
        <source>JSON Lines</source>
        <translation>JSON Lines（每行一个 JSON 对象）</translation>
    </message>
    <message>
        <source>Class folders (imagefolder)</source>
        <translation>类别文件夹（imagefolder）</translation>
    </message>
    <message>
        <source>CSV and JSON Lines: one row per image; class folders: the labelled images copied into OUT/&lt;label&gt;/, ready for training</source>
        <translation>CSV 和 JSON Lines：每张图像一行；类别文件夹：将已标注的图像复制到 OUT/&lt;label&gt;/，可直接用于训练</translation>
    </message>
    <message>
        <source>A new file (CSV, JSON Lines) or a new, empty folder (class folders)</source>
        <translation>一个新文件（CSV、JSON Lines）或一个新的空文件夹（类别文件夹）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Choose where the export goes</source>
        <translation>选择导出位置</translation>
    </message>
    <message>
        <source>Class folders: the share of each class put in val/ (0: no split)</source>
        <translation>类别文件夹：每个类别放入 val/ 的比例（0：不划分）</translation>
    </message>
    <message>
        <source>Hard-link instead of copying</source>
        <translation>使用硬链接代替复制</translation>
    </message>
    <message>
        <source>Class folders: link the images (same disk, no extra space) instead of copying</source>
        <translation>类别文件夹：链接图像（同一磁盘，不占额外空间）而不是复制</translation>
    </message>
    <message>
        <source>Add model labels at or above:</source>
        <translation>加入概率不低于此值的模型标签：</translation>
    </message>
    <message>
        <source>Also export the model&apos;s labels whose probability is at least this</source>
        <translation>同时导出概率不低于此值的模型标签</translation>
    </message>
    <message>
        <source>The smallest probability of a model label that is exported</source>
        <translation>导出的模型标签的最低概率</translation>
    </message>
    <message>
        <source>The split&apos;s random seed (the same seed, the same split)</source>
        <translation>划分的随机种子（相同的种子得到相同的划分）</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source>Output:</source>
        <translation>输出：</translation>
    </message>
    <message>
        <source>Validation split:</source>
        <translation>验证集比例：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <source>Write the export</source>
        <translation>写出导出文件</translation>
    </message>
    <message>
        <source>Close without exporting</source>
        <translation>不导出，直接关闭</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Where the export goes</source>
        <translation>导出位置</translation>
    </message>
    <message>
        <source>Minimum probability</source>
        <translation>最低概率</translation>
    </message>
    <message>
        <source>Export folder</source>
        <translation>导出文件夹</translation>
    </message>
</context>
<context>
    <name>ExportSummary</name>
    <message numerus="yes">
        <source>Wrote the %n selected row(s) to {path}</source>
        <translation>
            <numerusform>已将选中的 %n 行写入 {path}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Wrote all %n row(s) to {path}</source>
        <translation>
            <numerusform>已将全部 %n 行写入 {path}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Wrote {written} of the %n selected row(s) to {path}.</source>
        <translation>
            <numerusform>已将选中的 %n 行中的 {written} 行写入 {path}。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Wrote {written} of %n row(s) to {path}.</source>
        <translation>
            <numerusform>已将 %n 行中的 {written} 行写入 {path}。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) not classified yet were left out: classify them (F5) and export again.</source>
        <translation>
            <numerusform>%n 行尚未分类，未被导出：请先分类（F5）再重新导出。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FeatureMapsView</name>
    <message>
        <source>Which layer&apos;s output to show</source>
        <translation>显示哪一层的输出</translation>
    </message>
    <message>
        <source>Before ReLU</source>
        <translation>ReLU 之前</translation>
    </message>
    <message>
        <source>Show conv outputs before the ReLU (negative values included)</source>
        <translation>显示 ReLU 之前的卷积输出（包括负值）</translation>
    </message>
    <message>
        <source>Sort by mean</source>
        <translation>按均值排序</translation>
    </message>
    <message>
        <source>Order channels by mean activation, strongest first</source>
        <translation>按平均激活对通道排序，最强的在前</translation>
    </message>
    <message>
        <source>Select an image</source>
        <translation>请选择一张图像</translation>
    </message>
    <message>
        <source>Click a channel to see it large over the input crop</source>
        <translation>点击一个通道，将其放大叠加在输入裁剪图上</translation>
    </message>
    <message>
        <source>Feature maps</source>
        <translation>特征图</translation>
    </message>
    <message>
        <source>Colour scale</source>
        <translation>色标</translation>
    </message>
    <message>
        <source>The activation each colour stands for, low to high</source>
        <translation>每种颜色代表的激活值，从低到高</translation>
    </message>
    <message>
        <source>Click a channel</source>
        <translation>请点击一个通道</translation>
    </message>
    <message>
        <source>Clicked channel</source>
        <translation>所点击的通道</translation>
    </message>
    <message>
        <source>The clicked channel over the input crop</source>
        <translation>所点击的通道，叠加在输入裁剪上</translation>
    </message>
    <message>
        <source>Deconvolution of this unit</source>
        <translation>此单元的反卷积</translation>
    </message>
    <message>
        <source>Trace the clicked channel&apos;s strongest activation back to the pixels (Zeiler and Fergus), in the Where it looks tab</source>
        <translation>将所点击通道的最强激活回溯到像素（Zeiler 和 Fergus 的方法），显示在“关注区域”标签页</translation>
    </message>
    <message>
        <source>Top images in the table</source>
        <translation>表格中激活最强的图像</translation>
    </message>
    <message>
        <source>The table&apos;s images that activate the clicked channel most, in the Unit tab</source>
        <translation>表格中最能激活所点击通道的图像，显示在“单元”标签页</translation>
    </message>
    <message>
        <source>Feature visualisation</source>
        <translation>特征可视化</translation>
    </message>
    <message>
        <source>The image that maximises the clicked channel, in the Unit tab</source>
        <translation>使所点击通道激活最大的图像，显示在“单元”标签页</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>computing {layer}…</source>
        <translation>正在计算 {layer}…</translation>
    </message>
    <message>
        <source>Computing feature maps…</source>
        <translation>正在计算特征图…</translation>
    </message>
    <message>
        <source>No feature maps: see below</source>
        <translation>没有特征图：见下方说明</translation>
    </message>
    <message numerus="yes">
        <source>{layer}: %n channel(s) of {h}x{w} — {path}</source>
        <translation>
            <numerusform>{layer}：%n 个 {h}x{w} 的通道 — {path}</numerusform>
        </translation>
    </message>
    <message>
        <source>{layer} channel {channel}: mean {mean:.4g}, max {max:.4g}</source>
        <translation>{layer} 第 {channel} 通道：均值 {mean:.4g}，最大值 {max:.4g}</translation>
    </message>
</context>
<context>
    <name>FiltersView</name>
    <message>
        <source>Which convolution&apos;s kernels to show</source>
        <translation>显示哪个卷积层的卷积核</translation>
    </message>
    <message>
        <source>Input channel shown for conv2..conv5 (conv1 shows its RGB input)</source>
        <translation>conv2..conv5 显示的输入通道（conv1 显示其 RGB 输入）</translation>
    </message>
    <message>
        <source>Joint range</source>
        <translation>统一范围</translation>
    </message>
    <message>
        <source>Normalise all kernels with one min-max range instead of one range per kernel</source>
        <translation>所有卷积核使用同一个最小-最大范围归一化，而不是每个卷积核各用一个范围</translation>
    </message>
    <message>
        <source>Loading filters…</source>
        <translation>正在加载滤波器…</translation>
    </message>
    <message>
        <source>Hover a kernel for its index and weight range; click it to see it large</source>
        <translation>将鼠标悬停在卷积核上查看其序号和权重范围；点击可放大</translation>
    </message>
    <message>
        <source>Kernels</source>
        <translation>卷积核</translation>
    </message>
    <message>
        <source>Click a kernel</source>
        <translation>请点击一个卷积核</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Input channel</source>
        <translation>输入通道</translation>
    </message>
    <message>
        <source>Clicked kernel</source>
        <translation>所点击的卷积核</translation>
    </message>
    <message>
        <source>The clicked kernel, enlarged</source>
        <translation>所点击的卷积核（放大）</translation>
    </message>
    <message>
        <source>Input channel of each group&apos;s {channels} ({groups} groups)</source>
        <translation>每组 {channels} 个输入通道中的一个（共 {groups} 组）</translation>
    </message>
    <message>
        <source>filter {k}: weights {lo:+.4f} … {hi:+.4f}</source>
        <translation>滤波器 {k}：权重 {lo:+.4f} … {hi:+.4f}</translation>
    </message>
</context>
<context>
    <name>ImagePreview</name>
    <message>
        <source>Drop images or folders here</source>
        <translation>将图像或文件夹拖放到这里</translation>
    </message>
    <message>
        <source>The selected image: the wheel zooms, a drag pans, a double-click fits it again</source>
        <translation>选中的图像：滚轮缩放，拖动平移，双击恢复适应窗口</translation>
    </message>
</context>
<context>
    <name>InferenceWorker</name>
    <message>
        <source>the model could not be loaded ({kind}: {reason})</source>
        <extracomment>keep every unit&apos;s top images while classifying (Model menu), so the Unit tab answers at once keep each image&apos;s fc7 vector in the embedding index while classifying (Model menu): Similar, Map, duplicates</extracomment>
        <translation>模型无法加载（{kind}：{reason}）</translation>
    </message>
    <message>
        <source>classification stopped ({kind}: {reason})</source>
        <translation>分类已停止（{kind}：{reason}）</translation>
    </message>
    <message>
        <source>no model is loaded</source>
        <extracomment>&quot;queued&quot;, &quot;running&quot;, &quot;done&quot;, &quot;failed&quot;, &quot;cancelled&quot; (superseded or dropped at shutdown) set by JobRunner.stop(): every task still queued returns at once, so closing the window never waits for (or is cut off in the middle of) a queue of obsolete work</extracomment>
        <translation>尚未加载模型</translation>
    </message>
</context>
<context>
    <name>KeysDialog</name>
    <message>
        <source>Close this window (Esc)</source>
        <translation>关闭此窗口（Esc）</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>Does</source>
        <translation>作用</translation>
    </message>
    <message>
        <source>Each key the main window answers to</source>
        <translation>主窗口响应的每个按键</translation>
    </message>
    <message>
        <source>Tab and Shift+Tab move between the table, the filter and the views; the arrow keys move through the rows; Alt and a menu&apos;s underlined letter open that menu.</source>
        <translation>Tab 和 Shift+Tab 在表格、筛选框和各视图之间切换；方向键在行之间移动；Alt 加菜单中带下划线的字母可打开该菜单。</translation>
    </message>
</context>
<context>
    <name>LabellingMenu</name>
    <message>
        <source>finding label errors</source>
        <translation>正在查找标注错误</translation>
    </message>
    <message>
        <source>exporting labels</source>
        <translation>正在导出标签</translation>
    </message>
    <message>
        <source>classifying the unlabelled images</source>
        <translation>正在分类未标注的图像</translation>
    </message>
    <message>
        <source>Labelling progress</source>
        <translation>标注进度</translation>
    </message>
    <message>
        <source>How many images are labelled</source>
        <translation>已标注的图像数量</translation>
    </message>
    <message>
        <source>labelled {labelled} / {total}</source>
        <translation>已标注 {labelled} / {total}</translation>
    </message>
    <message>
        <source>Opened the labelling project {path}</source>
        <translation>已打开标注项目 {path}</translation>
    </message>
    <message>
        <source>New labelling project</source>
        <translation>新建标注项目</translation>
    </message>
    <message>
        <source>Labelling projects (*.sqlite)</source>
        <translation>标注项目 (*.sqlite)</translation>
    </message>
    <message>
        <source>Images to label</source>
        <translation>要标注的图像</translation>
    </message>
    <message>
        <source>Open labelling project</source>
        <translation>打开标注项目</translation>
    </message>
    <message>
        <source>Labelling projects (*.sqlite);;All files (*)</source>
        <translation>标注项目 (*.sqlite);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>审阅</translation>
    </message>
    <message>
        <source>No labelling project</source>
        <translation>没有标注项目</translation>
    </message>
    <message>
        <source>Open a labelling project first (File &gt; Open labelling project…).</source>
        <translation>请先打开一个标注项目（文件 &gt; 打开标注项目…）。</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n image(s) to {out}</source>
        <translation>
            <numerusform>已将 %n 张图像导出到 {out}</numerusform>
        </translation>
    </message>
    <message>
        <source>Label errors</source>
        <translation>标注错误</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message numerus="yes">
        <source>%n label(s) are probably wrong; the most likely first.</source>
        <translation>
            <numerusform>%n 个标签可能有误；最可能有误的排在前面。</numerusform>
        </translation>
    </message>
    <message>
        <source>Train on my labels</source>
        <translation>用我的标注训练</translation>
    </message>
    <message>
        <source>Classify the unlabelled images again with the new model?</source>
        <translation>用新模型重新分类未标注的图像吗？</translation>
    </message>
</context>
<context>
    <name>LabellingProject</name>
    <message>
        <source>Labelling project not opened</source>
        <translation>未打开标注项目</translation>
    </message>
    <message>
        <source>classifying the project&apos;s images</source>
        <translation>正在分类项目中的图像</translation>
    </message>
    <message>
        <source>labelled {labelled} / {total}</source>
        <translation>已标注 {labelled} / {total}</translation>
    </message>
</context>
<context>
    <name>LiveDialog</name>
    <message>
        <source>Videos (*.mp4 *.avi *.mkv *.mov *.webm *.mpg *.mpeg);;All files (*)</source>
        <translation>视频 (*.mp4 *.avi *.mkv *.mov *.webm *.mpg *.mpeg);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Live view</source>
        <translation>实时视图</translation>
    </message>
    <message>
        <source>A camera number (0 is the first camera) or a video file</source>
        <translation>摄像头编号（0 为第一个摄像头）或视频文件</translation>
    </message>
    <message>
        <source>Video file…</source>
        <translation>视频文件…</translation>
    </message>
    <message>
        <source>no feature maps</source>
        <translation>不显示特征图</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>单步</translation>
    </message>
    <message>
        <source>Snapshot to table</source>
        <translation>截图加入表格</translation>
    </message>
    <message>
        <source>Press Start</source>
        <translation>请按“开始”</translation>
    </message>
    <message>
        <source>Video frame</source>
        <translation>视频帧</translation>
    </message>
    <message>
        <source>The frame being classified</source>
        <translation>正在分类的帧</translation>
    </message>
    <message>
        <source>Feature maps of the frame</source>
        <translation>该帧的特征图</translation>
    </message>
    <message>
        <source>The chosen layer&apos;s activations for this frame</source>
        <translation>所选层对该帧的激活</translation>
    </message>
    <message>
        <source>Top-5 of the frame</source>
        <translation>该帧的前 5 个预测</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Feature maps</source>
        <translation>特征图</translation>
    </message>
    <message>
        <source>Which layer&apos;s activations to show beside the frame</source>
        <translation>在帧旁边显示哪一层的激活</translation>
    </message>
    <message>
        <source>Choose a video file instead of a camera</source>
        <translation>选择视频文件而不是摄像头</translation>
    </message>
    <message>
        <source>Open the source and classify its frames one after another</source>
        <translation>打开来源并逐帧分类</translation>
    </message>
    <message>
        <source>Stop asking for frames; Resume goes on</source>
        <translation>停止获取新帧；按“继续”接着进行</translation>
    </message>
    <message>
        <source>While paused: classify one more frame</source>
        <translation>暂停时：再分类一帧</translation>
    </message>
    <message>
        <source>Save the frame shown as a PNG and add it to the main table</source>
        <translation>将当前帧保存为 PNG 并加入主表格</translation>
    </message>
    <message>
        <source>Video file</source>
        <translation>视频文件</translation>
    </message>
    <message>
        <source>opening {source}…</source>
        <translation>正在打开 {source}…</translation>
    </message>
    <message numerus="yes">
        <source>end of the video: %n frame(s) at {fps:.1f} frames/s</source>
        <translation>
            <numerusform>视频结束：共 %n 帧，{fps:.1f} 帧/秒</numerusform>
        </translation>
    </message>
    <message>
        <source>frame {index} · {fps:.1f} frames/s · model {ms:.0f} ms · {label} {prob:.1f}%</source>
        <translation>第 {index} 帧 · {fps:.1f} 帧/秒 · 模型 {ms:.0f} 毫秒 · {label} {prob:.1f}%</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>saved frame {index} as {path} and added it to the table</source>
        <translation>已将第 {index} 帧保存为 {path} 并加入表格</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>The interface speaks {language} from the next start of alexnet-gui; the command line already does.</source>
        <translation>alexnet-gui 下次启动时界面将使用{language}；命令行已立即生效。</translation>
    </message>
    <message>
        <source>no model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <source>Predictions</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Model</source>
        <translation>模型(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>About alexnet-gui</source>
        <translation>关于 alexnet-gui</translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <source>Classes per image in the CSV (1-1000):</source>
        <translation>CSV 中每张图像的类别数（1-1000）：</translation>
    </message>
    <message numerus="yes">
        <source>Top-{k}: classifying %n image(s) again for their extra classes.</source>
        <translation>
            <numerusform>Top-{k}：正在重新分类 %n 张图像以获得更多类别。</numerusform>
        </translation>
    </message>
    <message>
        <source>loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) came from another model or setting; Model &gt; Classify all again (Shift+F5) classifies them with this one</source>
        <translation>
            <numerusform>%n 行来自其他模型或设置；“模型 &gt; 全部重新分类”（Shift+F5）会用当前模型重新分类</numerusform>
        </translation>
    </message>
    <message>
        <source>Model not loaded</source>
        <translation>模型未加载</translation>
    </message>
    <message numerus="yes">
        <source>Added {names} and %n more: classified after the current batch.</source>
        <translation>
            <numerusform>已添加 {names} 等另外 %n 项：将在当前批次之后分类。</numerusform>
        </translation>
    </message>
    <message>
        <source>Added {names}: classified after the current batch.</source>
        <translation>已添加 {names}：将在当前批次之后分类。</translation>
    </message>
    <message>
        <source>Nothing to export yet: no image has been classified.</source>
        <translation>暂无可导出的内容：还没有图像被分类。</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>AlexNet on ONNX Runtime or PyTorch: any AlexNet you have, with its own labels and preprocessing.</source>
        <translation>在 ONNX Runtime 或 PyTorch 上运行 AlexNet：你手中的任何 AlexNet，使用它自己的标签和预处理。</translation>
    </message>
    <message>
        <source>The view at that place</source>
        <translation>该位置的视图</translation>
    </message>
</context>
<context>
    <name>MapView</name>
    <message>
        <source>Map of the images</source>
        <extracomment>labels given their own colour (the commonest); the rest are grey, as the command line&apos;s --png</extracomment>
        <translation>图像分布图</translation>
    </message>
    <message>
        <source>Each classified image of the table placed by its fc7 vector, coloured by label</source>
        <translation>表格中每张已分类的图像按其 fc7 向量定位，按标签着色</translation>
    </message>
    <message>
        <source>Classify some images: the map shows the table&apos;s classified images.</source>
        <translation>请先分类一些图像：分布图显示表格中已分类的图像。</translation>
    </message>
    <message>
        <source>PCA</source>
        <translation>PCA（主成分分析）</translation>
    </message>
    <message>
        <source>UMAP</source>
        <translation>UMAP（均匀流形近似与投影）</translation>
    </message>
    <message>
        <source>t-SNE</source>
        <translation>t-SNE（t 分布随机邻域嵌入）</translation>
    </message>
    <message>
        <source>Projection</source>
        <translation>投影方法</translation>
    </message>
    <message>
        <source>How the vectors are laid out in 2-D (UMAP and t-SNE need the map extra)</source>
        <translation>向量如何投影到二维平面（UMAP 和 t-SNE 需要安装 map 附加组件）</translation>
    </message>
    <message>
        <source>Draw again</source>
        <translation>重新绘制</translation>
    </message>
    <message>
        <source>Lay out the table&apos;s classified images again</source>
        <translation>重新排布表格中已分类的图像</translation>
    </message>
    <message>
        <source>Select</source>
        <translation>选择</translation>
    </message>
    <message>
        <source>When on, drag a rectangle to select those images in the table</source>
        <translation>开启后，拖出一个矩形即可在表格中选中其中的图像</translation>
    </message>
    <message>
        <source>label for the selection</source>
        <translation>所选图像的标签</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>The label to give the selected images</source>
        <translation>要赋予所选图像的标签</translation>
    </message>
    <message>
        <source>Label the selection</source>
        <translation>标注所选图像</translation>
    </message>
    <message>
        <source>Give the images selected on the map this label in the labelling project</source>
        <translation>在标注项目中为分布图上选中的图像赋予此标签</translation>
    </message>
    <message>
        <source>laying out {count} images ({method})…</source>
        <translation>正在排布 {count} 张图像（{method}）…</translation>
    </message>
    <message>
        <source>(no label)</source>
        <translation>（无标签）</translation>
    </message>
    <message>
        <source>{count} images laid out by {method} of their fc7 vectors; hover a point for its image, Select and drag to select rows.</source>
        <translation>已按 fc7 向量的 {method} 排布 {count} 张图像；将鼠标悬停在点上可查看其图像，点“选择”后拖动可选中行。</translation>
    </message>
    <message>
        <source>{count} images selected on the map.</source>
        <translation>在分布图上选中了 {count} 张图像。</translation>
    </message>
    <message>
        <source>Open a labelling project first (File &gt; Open labelling project…) to label the selection.</source>
        <translation>要标注所选图像，请先打开一个标注项目（文件 &gt; 打开标注项目…）。</translation>
    </message>
    <message>
        <source>Select images on the map (Select, then drag) and type a label first.</source>
        <translation>请先在分布图上选中图像（点“选择”后拖动）并输入标签。</translation>
    </message>
    <message>
        <source>Labelled {count} images {name}.</source>
        <translation>已将 {count} 张图像标注为 {name}。</translation>
    </message>
</context>
<context>
    <name>ModelOpener</name>
    <message>
        <source>Open model…</source>
        <translation>打开模型…</translation>
    </message>
    <message>
        <source>Open any AlexNet: PyTorch (.pth, .pt, .pkl, .pth.tar), ONNX (.onnx) or Keras (.h5, .keras), with its labels and preprocessing from its card or the files beside it</source>
        <translation>打开任何 AlexNet：PyTorch（.pth、.pt、.pkl、.pth.tar）、ONNX（.onnx）或 Keras（.h5、.keras），标签和预处理取自其模型卡或旁边的文件</translation>
    </message>
    <message>
        <source>Open model folder…</source>
        <translation>打开模型文件夹…</translation>
    </message>
    <message>
        <source>Open a folder holding one model file with its card or labels file</source>
        <translation>打开一个含有模型文件及其模型卡或标签文件的文件夹</translation>
    </message>
    <message>
        <source>Recent models</source>
        <translation>最近的模型</translation>
    </message>
    <message>
        <source>Open model folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <source>Open model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>Model not opened</source>
        <translation>模型未打开</translation>
    </message>
</context>
<context>
    <name>ModelPanel</name>
    <message>
        <source>Models (*.pth *.pt *.pkl *.tar *.onnx *.h5 *.hdf5 *.keras);;PyTorch (*.pth *.pt *.pkl *.tar);;ONNX (*.onnx);;Keras (*.h5 *.hdf5 *.keras);;All files (*)</source>
        <extracomment>what Model &gt; Open model… offers, by the formats the core reads (translated where shown)</extracomment>
        <translation>模型 (*.pth *.pt *.pkl *.tar *.onnx *.h5 *.hdf5 *.keras);;PyTorch (*.pth *.pt *.pkl *.tar);;ONNX (*.onnx);;Keras (*.h5 *.hdf5 *.keras);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Labels (*.json *.txt);;All files (*)</source>
        <translation>标签 (*.json *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Model card</source>
        <translation>模型卡</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <source>The loaded model&apos;s card; a labels file or a card JSON beside the weights is read too</source>
        <translation>已加载模型的模型卡；权重旁边的标签文件或模型卡 JSON 也会被读取</translation>
    </message>
    <message>
        <source>the card&apos;s own</source>
        <translation>模型卡自带</translation>
    </message>
    <message>
        <source>The preprocessing recipe (the command line&apos;s --preprocess)</source>
        <translation>预处理方案（即命令行的 --preprocess）</translation>
    </message>
    <message>
        <source>Labels file…</source>
        <translation>标签文件…</translation>
    </message>
    <message>
        <source>Name the classes from a class_indices.json, labels.txt, classes.txt or synset.txt (the command line&apos;s --labels)</source>
        <translation>从 class_indices.json、labels.txt、classes.txt 或 synset.txt 读取类别名称（即命令行的 --labels）</translation>
    </message>
    <message>
        <source>Card&apos;s own</source>
        <translation>恢复模型卡自带</translation>
    </message>
    <message>
        <source>Forget the labels file and recipe chosen here</source>
        <translation>清除此处选择的标签文件和预处理方案</translation>
    </message>
    <message>
        <source>Preprocessing</source>
        <translation>预处理</translation>
    </message>
    <message>
        <source>Labels file</source>
        <translation>标签文件</translation>
    </message>
    <message>
        <source>class names: {names}</source>
        <translation>类别名称：{names}</translation>
    </message>
</context>
<context>
    <name>PredictionBars</name>
    <message>
        <source>Select an image to see its top-5.</source>
        <translation>选择一张图像以查看其前 5 个预测。</translation>
    </message>
    <message>
        <source>The model&apos;s five most probable classes for the selected image (its card&apos;s labels)</source>
        <translation>模型对所选图像给出的五个最可能的类别（使用其模型卡的标签）</translation>
    </message>
</context>
<context>
    <name>PredictionsView</name>
    <message>
        <source>Selected image</source>
        <translation>所选图像</translation>
    </message>
    <message>
        <source>The selected image, with the model&apos;s crop outlined</source>
        <translation>所选图像，并标出模型的裁剪区域</translation>
    </message>
    <message>
        <source>Top-5 predictions</source>
        <translation>前 5 个预测</translation>
    </message>
    <message>
        <source>Queued: not classified yet.</source>
        <translation>排队中：尚未分类。</translation>
    </message>
    <message>
        <source>Could not classify this file: {error}</source>
        <translation>无法分类此文件：{error}</translation>
    </message>
    <message>
        <source>{path}
Top-1: {label} — class {index}, {prob}</source>
        <translation>{path}
Top-1：{label} — 第 {index} 类，{prob}</translation>
    </message>
    <message>
        <source>by {origin}</source>
        <translation>来自 {origin}</translation>
    </message>
</context>
<context>
    <name>ProjectColumns</name>
    <message>
        <source>Label</source>
        <extracomment>rows added to the table per turn of the event loop: a 100,000-image project fills it in the background, each turn blocking the GUI thread for some 30 ms, instead of 1.5 s at once</extracomment>
        <translation>标签</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Agrees</source>
        <translation>一致</translation>
    </message>
    <message>
        <source>human</source>
        <translation>人工</translation>
    </message>
    <message>
        <source>model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>yes</source>
        <extracomment>path -&gt; (label, source, agrees), for the labelled images</extracomment>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>RecentFolders</name>
    <message>
        <source>Recent folders</source>
        <extracomment>the most files and folders a session remembers (a drop of 10,000 files is remembered by its first ones)</extracomment>
        <translation>最近的文件夹</translation>
    </message>
    <message>
        <source>Reopen last session</source>
        <translation>重新打开上次会话</translation>
    </message>
    <message>
        <source>Queue again the files and folders the last session queued</source>
        <translation>将上次会话排队的文件和文件夹重新加入队列</translation>
    </message>
    <message numerus="yes">
        <source>Reopen last session (%n item(s))</source>
        <translation>
            <numerusform>重新打开上次会话（%n 项）</numerusform>
        </translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>（暂无）</translation>
    </message>
</context>
<context>
    <name>RestartBox</name>
    <message>
        <source>Restart alexnet-gui?</source>
        <translation>重新启动 alexnet-gui？</translation>
    </message>
    <message>
        <source>Restart now? The table&apos;s rows are not kept; open them again after.</source>
        <translation>现在重新启动吗？表格中的行不会保留，重启后请重新打开。</translation>
    </message>
    <message>
        <source>Restart now</source>
        <translation>立即重启</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>稍后</translation>
    </message>
    <message>
        <source>Close alexnet-gui and start it again in the chosen language</source>
        <translation>关闭 alexnet-gui，并以所选语言重新启动</translation>
    </message>
    <message>
        <source>Keep working; the language changes at the next start</source>
        <translation>继续工作；语言将在下次启动时更改</translation>
    </message>
</context>
<context>
    <name>ResultsModel</name>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Top-1 label</source>
        <translation>Top-1 标签</translation>
    </message>
    <message>
        <source>Top-1 prob</source>
        <translation>Top-1 概率</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>{status} (fast decoding)</source>
        <extracomment>columns after the built-in ones (a labelling project&apos;s label, source, agreement): `titles()` and `cell(path, i)`; None when no project is open</extracomment>
        <translation>{status}（快速解码）</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>error: {reason}</source>
        <translation>错误：{reason}</translation>
    </message>
</context>
<context>
    <name>ResultsTable</name>
    <message>
        <source>Drop images or folders here
(or File &gt; Open images…, Open folder…)</source>
        <translation>将图像或文件夹拖放到这里
（或使用 文件 &gt; 打开图像…、打开文件夹…）</translation>
    </message>
    <message>
        <source>No top-1 label or file name contains “{text}”</source>
        <translation>没有 Top-1 标签或文件名包含“{text}”</translation>
    </message>
    <message>
        <source>Drop to classify these images</source>
        <translation>松开即可分类这些图像</translation>
    </message>
</context>
<context>
    <name>ReviewView</name>
    <message>
        <source>least confident first</source>
        <translation>置信度最低的优先</translation>
    </message>
    <message>
        <source>highest entropy first</source>
        <translation>熵最高的优先</translation>
    </message>
    <message>
        <source>most confident first</source>
        <translation>置信度最高的优先</translation>
    </message>
    <message>
        <source>file order</source>
        <translation>文件顺序</translation>
    </message>
    <message>
        <source>Review</source>
        <extracomment>the queue&apos;s images in order; their Items are read from the project one at a time as they are shown in label-issue mode, each queued image&apos;s Item (given and suggested labels); None otherwise</extracomment>
        <translation>审阅</translation>
    </message>
    <message>
        <source>One image at a time: keys 1-9 give its k-th label, Enter the first, Space skips, Ctrl+Z undoes, letters search every class</source>
        <translation>一次一张图像：数字键 1-9 赋予第 k 个标签，Enter 赋予第一个，空格跳过，Ctrl+Z 撤销，输入字母可搜索所有类别</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>顺序</translation>
    </message>
    <message>
        <source>Which unlabelled images come first</source>
        <translation>哪些未标注的图像排在前面</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>How many images are labelled</source>
        <translation>已标注的图像数量</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>The image to label</source>
        <translation>要标注的图像</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>The image&apos;s file and, for a label issue, its labels</source>
        <translation>图像的文件，以及（对于标注问题）其标签</translation>
    </message>
    <message>
        <source>Choices</source>
        <translation>选项</translation>
    </message>
    <message>
        <source>The numbered labels: press a number to give one</source>
        <translation>带编号的标签：按数字键赋予对应标签</translation>
    </message>
    <message>
        <source>type to search every class; Enter assigns</source>
        <translation>输入以搜索所有类别；按 Enter 赋予</translation>
    </message>
    <message>
        <source>Class search</source>
        <translation>类别搜索</translation>
    </message>
    <message>
        <source>Search every class by name; Enter gives it</source>
        <translation>按名称搜索所有类别；按 Enter 赋予</translation>
    </message>
    <message>
        <source>Minimum probability</source>
        <translation>最低概率</translation>
    </message>
    <message>
        <source>The bulk accept&apos;s threshold</source>
        <translation>批量接受的阈值</translation>
    </message>
    <message>
        <source>Accept every model label ≥ P</source>
        <translation>接受所有概率 ≥ P 的模型标签</translation>
    </message>
    <message>
        <source>Accept model labels</source>
        <translation>接受模型标签</translation>
    </message>
    <message>
        <source>Give every unlabelled image whose top-1 probability is at least P that label (one undo)</source>
        <translation>为每张 Top-1 概率不低于 P 的未标注图像赋予该标签（可一次撤销）</translation>
    </message>
    <message>
        <source>P:</source>
        <translation>P：</translation>
    </message>
    <message>
        <source>Nothing left to review.</source>
        <translation>没有需要审阅的内容了。</translation>
    </message>
    <message>
        <source>Open a labelling project: File &gt; Open labelling project…</source>
        <translation>请打开一个标注项目：文件 &gt; 打开标注项目…</translation>
    </message>
    <message>
        <source>Label issue {n} of {total}. {file}: given label {given}, suggested {suggested}</source>
        <translation>标注问题 {n} / {total}。{file}：已给标签 {given}，建议 {suggested}</translation>
    </message>
    <message>
        <source>cannot show this image</source>
        <translation>无法显示此图像</translation>
    </message>
    <message>
        <source>labelled {labelled} / {total}</source>
        <translation>已标注 {labelled} / {total}</translation>
    </message>
    <message numerus="yes">
        <source>Accepted %n model label(s).</source>
        <translation>
            <numerusform>已接受 %n 个模型标签。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RowActions</name>
    <message>
        <source>Copy rows as CSV</source>
        <translation>将行复制为 CSV</translation>
    </message>
    <message>
        <source>Copy the selected rows as CSV, the columns Export CSV writes (Ctrl+C)</source>
        <translation>将所选行复制为 CSV，列与“导出 CSV”写入的相同（Ctrl+C）</translation>
    </message>
    <message>
        <source>Undo remove</source>
        <translation>撤销移除</translation>
    </message>
    <message>
        <source>Put back the rows the last Remove took away, with their results (Ctrl+Z)</source>
        <translation>恢复上一次移除的行及其结果（Ctrl+Z）</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>在文件夹中显示</translation>
    </message>
    <message>
        <source>Copy path</source>
        <translation>复制路径</translation>
    </message>
    <message>
        <source>Copy prediction</source>
        <translation>复制预测结果</translation>
    </message>
    <message>
        <source>No classified row is selected: nothing copied.</source>
        <translation>未选中已分类的行：未复制任何内容。</translation>
    </message>
    <message numerus="yes">
        <source>Copied %n row(s) as CSV.</source>
        <translation>
            <numerusform>已将 %n 行复制为 CSV。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n added image(s) hidden by the filter “{text}”: Esc in the filter box shows every row.</source>
        <translation>
            <numerusform>新添加的 %n 张图像被筛选条件“{text}”隐藏：在筛选框中按 Esc 可显示所有行。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) added in the table&apos;s order (sorted by {column}); scrolled to the first.</source>
        <translation>
            <numerusform>已按表格的排序（按{column}排序）添加 %n 张图像；已滚动到第一张。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Put back %n row(s).</source>
        <translation>
            <numerusform>已恢复 %n 行。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SimilarView</name>
    <message>
        <source>Images</source>
        <translation>图像数</translation>
    </message>
    <message>
        <source>How many similar images to show</source>
        <translation>显示多少张相似图像</translation>
    </message>
    <message>
        <source>Similar images</source>
        <translation>相似图像</translation>
    </message>
    <message>
        <source>The table&apos;s images nearest to the query by their fc7 vectors, nearest first, each with its cosine distance</source>
        <translation>表格中 fc7 向量与查询图像最接近的图像，由近到远排列，各附余弦距离</translation>
    </message>
    <message>
        <source>Shared units</source>
        <translation>共有单元</translation>
    </message>
    <message>
        <source>The fc7 units the query and its neighbours share most; each link opens the Unit tab</source>
        <translation>查询图像与其近邻共有最多的 fc7 单元；每个链接会打开“单元”标签页</translation>
    </message>
    <message>
        <source>Select a row, or drop an image here, to see the table&apos;s images like it.</source>
        <translation>选择一行，或将图像拖放到这里，即可查看表格中与之相似的图像。</translation>
    </message>
    <message>
        <source>finding the images nearest to {name} among {count} images…</source>
        <translation>正在 {count} 张图像中查找与 {name} 最接近的图像…</translation>
    </message>
    <message>
        <source>{path}
cosine distance {distance:.6f}</source>
        <translation>{path}
余弦距离 {distance:.6f}</translation>
    </message>
    <message>
        <source>Units they share most: {links}</source>
        <translation>它们共有最多的单元：{links}</translation>
    </message>
    <message>
        <source>No fc7 unit fires in the query and its neighbours alike.</source>
        <translation>没有在查询图像及其近邻中同样激活的 fc7 单元。</translation>
    </message>
    <message>
        <source>The {found} images nearest to {name} among {count} (cosine distance of fc7 vectors; {computed} computed now, the rest from the index).</source>
        <translation>{count} 张图像中与 {name} 最接近的 {found} 张（fc7 向量的余弦距离；{computed} 张为本次计算，其余来自索引）。</translation>
    </message>
</context>
<context>
    <name>SortDialog</name>
    <message>
        <source>Sort into folders</source>
        <translation>分拣到文件夹</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Copy (keep the originals)</source>
        <translation>复制（保留原文件）</translation>
    </message>
    <message>
        <source>Move</source>
        <translation>移动</translation>
    </message>
    <message>
        <source>Only above a top-1 probability of</source>
        <translation>仅当 Top-1 概率高于</translation>
    </message>
    <message>
        <source>Into folder:</source>
        <translation>目标文件夹：</translation>
    </message>
    <message>
        <source>Choose the folder to sort into</source>
        <translation>选择要分拣到的文件夹</translation>
    </message>
    <message>
        <source>The folder that gets one sub-folder per class</source>
        <translation>为每个类别建立一个子文件夹的目标文件夹</translation>
    </message>
    <message>
        <source>Copy each image into its class folder; the original stays where it is</source>
        <translation>将每张图像复制到其类别文件夹；原文件保留在原处</translation>
    </message>
    <message>
        <source>Move each image into its class folder</source>
        <translation>将每张图像移动到其类别文件夹</translation>
    </message>
    <message>
        <source>Leave images whose top-1 probability is lower where they are</source>
        <translation>Top-1 概率较低的图像留在原处</translation>
    </message>
    <message>
        <source>Top-1 probability threshold</source>
        <translation>Top-1 概率阈值</translation>
    </message>
    <message>
        <source>Images below this top-1 probability are not sorted</source>
        <translation>Top-1 概率低于此值的图像不分拣</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>计划</translation>
    </message>
    <message>
        <source>How many images go into each folder</source>
        <translation>每个文件夹将放入多少张图像</translation>
    </message>
    <message>
        <source>Copy or move the images now</source>
        <translation>立即复制或移动图像</translation>
    </message>
    <message>
        <source>Close without sorting</source>
        <translation>不分拣，直接关闭</translation>
    </message>
    <message>
        <source>Sort into folder</source>
        <translation>分拣到文件夹</translation>
    </message>
    <message>
        <source>Choose the folder to sort into.</source>
        <translation>请选择要分拣到的文件夹。</translation>
    </message>
    <message>
        <source>Existing files are never overwritten.</source>
        <translation>已有文件绝不会被覆盖。</translation>
    </message>
    <message numerus="yes">
        <source>Move %n image(s)</source>
        <translation>
            <numerusform>移动 %n 张图像</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Copy %n image(s)</source>
        <translation>
            <numerusform>复制 %n 张图像</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TenCropsDialog</name>
    <message>
        <source>Ten crops — {path}</source>
        <translation>十个裁剪 — {path}</translation>
    </message>
</context>
<context>
    <name>TenCropsView</name>
    <message>
        <source>10-crop answer: {label} {prob} — {agree} of 10 crops agree</source>
        <translation>10 裁剪结果：{label} {prob} — 10 个裁剪中有 {agree} 个一致</translation>
    </message>
    <message>
        <source>; outlined in red: {n} that do not</source>
        <translation>；红框标出不一致的 {n} 个</translation>
    </message>
</context>
<context>
    <name>ToolsMenu</name>
    <message>
        <source>comparing backends</source>
        <translation>比较后端</translation>
    </message>
    <message>
        <source>ten crops</source>
        <translation>十个裁剪</translation>
    </message>
    <message>
        <source>accuracy on a folder</source>
        <translation>文件夹上的准确率</translation>
    </message>
    <message>
        <source>sorting into folders</source>
        <translation>分拣到文件夹</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>10-crop test-time augmentation</source>
        <translation>10 裁剪测试时增强</translation>
    </message>
    <message>
        <source>Average the network&apos;s answers over the four corner and centre crops and their mirror images (the AlexNet paper&apos;s; ten times the work)</source>
        <translation>对四角和中心裁剪及其镜像的网络输出取平均（AlexNet 论文的方法；计算量为十倍）</translation>
    </message>
    <message>
        <source>Show the ten crops of the selected image</source>
        <translation>显示所选图像的十个裁剪</translation>
    </message>
    <message>
        <source>Compare PyTorch and ONNX Runtime on the selection</source>
        <translation>在所选图像上比较 PyTorch 和 ONNX Runtime</translation>
    </message>
    <message>
        <source>Accuracy on a labelled folder…</source>
        <translation>在带标签的文件夹上测准确率…</translation>
    </message>
    <message>
        <source>Sort classified images into folders…</source>
        <translation>将已分类的图像分拣到文件夹…</translation>
    </message>
    <message>
        <source>Train on labelled folders…</source>
        <translation>用带标签的文件夹训练…</translation>
    </message>
    <message>
        <source>Teach a model your own classes from a folder holding one sub-folder of images per class</source>
        <translation>用一个每类一个子文件夹的图像文件夹，教模型认识你自己的类别</translation>
    </message>
    <message>
        <source>Live view (camera or video)…</source>
        <translation>实时视图（摄像头或视频）…</translation>
    </message>
    <message>
        <source>Classify a camera or a video frame by frame, with one layer&apos;s feature maps</source>
        <translation>逐帧分类摄像头或视频，并显示某一层的特征图</translation>
    </message>
    <message>
        <source>Working: {tool}…</source>
        <translation>正在进行：{tool}…</translation>
    </message>
    <message>
        <source>Add images first, then compare.</source>
        <translation>请先添加图像，再进行比较。</translation>
    </message>
    <message>
        <source>Select an image first.</source>
        <translation>请先选择一张图像。</translation>
    </message>
    <message>
        <source>Folder with class-named sub-folders</source>
        <translation>含有以类别命名的子文件夹的文件夹</translation>
    </message>
    <message numerus="yes">
        <source>cancelled after {scored} of %n image(s): the figures below cover those only</source>
        <translation>
            <numerusform>在 %n 张图像中完成 {scored} 张后取消：以下数据仅涵盖这些图像</numerusform>
        </translation>
    </message>
    <message>
        <source>ignored sub-folders that name none of the model&apos;s classes: {folders}</source>
        <translation>已忽略不对应模型任何类别的子文件夹：{folders}</translation>
    </message>
    <message>
        <source>Classify images first, then sort them.</source>
        <translation>请先分类图像，再进行分拣。</translation>
    </message>
    <message numerus="yes">
        <source>Moved %n image(s) into {folder}.</source>
        <translation>
            <numerusform>已将 %n 张图像移动到 {folder}。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Copied %n image(s) into {folder}.</source>
        <translation>
            <numerusform>已将 %n 张图像复制到 {folder}。</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancelled: {n} not sorted.</source>
        <translation>已取消：{n} 张未分拣。</translation>
    </message>
    <message>
        <source>Some files were not sorted</source>
        <translation>部分文件未能分拣</translation>
    </message>
</context>
<context>
    <name>TrainDialog</name>
    <message>
        <source>Train on labelled folders</source>
        <translation>用带标签的文件夹训练</translation>
    </message>
    <message>
        <source>a folder holding one sub-folder of images per class</source>
        <translation>每个类别一个图像子文件夹的文件夹</translation>
    </message>
    <message>
        <source>a new folder for the model</source>
        <translation>用于保存模型的新文件夹</translation>
    </message>
    <message>
        <source>head: frozen features, train the classifier (fast)</source>
        <translation>head：冻结特征，只训练分类器（快）</translation>
    </message>
    <message>
        <source>finetune: conv5 and the classifier, augmented images</source>
        <translation>finetune：训练 conv5 和分类器，使用增强图像</translation>
    </message>
    <message>
        <source>full: every layer</source>
        <translation>full：训练所有层</translation>
    </message>
    <message>
        <source>Which layers learn: head is fastest, full changes every layer</source>
        <translation>哪些层参与学习：head 最快，full 改变所有层</translation>
    </message>
    <message>
        <source>Training stops earlier when validation accuracy stops improving</source>
        <translation>验证准确率不再提高时会提前停止训练</translation>
    </message>
    <message>
        <source>The share of each class&apos;s images kept aside to validate with</source>
        <translation>每个类别留作验证的图像比例</translation>
    </message>
    <message>
        <source>The same seed gives the same split and the same training</source>
        <translation>相同的随机种子会得到相同的划分和相同的训练结果</translation>
    </message>
    <message>
        <source>Images:</source>
        <translation>图像：</translation>
    </message>
    <message>
        <source>Model folder:</source>
        <translation>模型文件夹：</translation>
    </message>
    <message>
        <source>Mode:</source>
        <translation>模式：</translation>
    </message>
    <message>
        <source>Epochs (at most):</source>
        <translation>轮数（最多）：</translation>
    </message>
    <message>
        <source>Validation share:</source>
        <translation>验证集比例：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <source>Start from:</source>
        <translation>起始模型：</translation>
    </message>
    <message>
        <source>class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>images</source>
        <translation>图像数</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>The class folders found and their images</source>
        <translation>找到的类别文件夹及其图像数</translation>
    </message>
    <message>
        <source>Choose a folder of class folders.</source>
        <translation>请选择一个包含类别文件夹的文件夹。</translation>
    </message>
    <message>
        <source>Start training</source>
        <translation>开始训练</translation>
    </message>
    <message>
        <source>Train on the images with these settings</source>
        <translation>用这些设置在图像上训练</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop after the current batch; the best epoch so far is saved</source>
        <translation>在当前批次后停止；保存目前最好的一轮</translation>
    </message>
    <message>
        <source>Use this model</source>
        <translation>使用此模型</translation>
    </message>
    <message>
        <source>Open the trained model in the main window</source>
        <translation>在主窗口中打开训练好的模型</translation>
    </message>
    <message>
        <source>Curves</source>
        <translation>曲线</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Choose the folder in a file dialog</source>
        <translation>在文件对话框中选择文件夹</translation>
    </message>
    <message>
        <source>Folder of class folders</source>
        <translation>包含类别文件夹的文件夹</translation>
    </message>
    <message>
        <source>Model folder (new or empty)</source>
        <translation>模型文件夹（新建或空）</translation>
    </message>
    <message>
        <source>no model yet: open one in Model &gt; Open model…</source>
        <translation>还没有模型：请在 模型 &gt; 打开模型… 中打开一个</translation>
    </message>
    <message>
        <source>{source} — an ONNX graph cannot be trained: open a PyTorch or Keras file in Model &gt; Open model…</source>
        <translation>{source} — ONNX 计算图无法训练：请在 模型 &gt; 打开模型… 中打开 PyTorch 或 Keras 文件</translation>
    </message>
    <message numerus="yes">
        <source>%n class(es)</source>
        <translation>
            <numerusform>%n 个类别</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n image(s): {train} to train on, {val} to validate with.</source>
        <translation>
            <numerusform>%n 张图像：{train} 张用于训练，{val} 张用于验证。</numerusform>
        </translation>
    </message>
    <message>
        <source>Unbalanced ({ratio:.1f}:1): the loss is weighted by class.</source>
        <translation>类别不均衡（{ratio:.1f}:1）：损失按类别加权。</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) outside any class folder are not used.</source>
        <translation>
            <numerusform>不在任何类别文件夹中的 %n 张图像不会被使用。</numerusform>
        </translation>
    </message>
    <message>
        <source>Choose the model folder: where the trained model is saved.</source>
        <translation>请选择模型文件夹：训练好的模型保存在这里。</translation>
    </message>
    <message>
        <source>Preparing…</source>
        <translation>正在准备…</translation>
    </message>
    <message>
        <source>Cancelling: saving the best epoch so far…</source>
        <translation>正在取消：保存目前最好的一轮…</translation>
    </message>
    <message>
        <source>Training on the {device}: {how}</source>
        <translation>正在 {device} 上训练：{how}</translation>
    </message>
    <message>
        <source>Saving, exporting to ONNX and validating the saved model…</source>
        <translation>正在保存、导出为 ONNX 并验证保存的模型…</translation>
    </message>
    <message>
        <source>epoch {epoch}/{epochs}: validation accuracy {accuracy:.1f}% (best: epoch {best}); at most {left} left</source>
        <translation>第 {epoch}/{epochs} 轮：验证准确率 {accuracy:.1f}%（最佳：第 {best} 轮）；最多还需 {left}</translation>
    </message>
    <message>
        <source>features: {done}/{total} images, about {left} left</source>
        <translation>提取特征：{done}/{total} 张图像，约还需 {left}</translation>
    </message>
    <message>
        <source>Cancelled before the first epoch ended: nothing was saved.</source>
        <translation>在第一轮结束前取消：未保存任何内容。</translation>
    </message>
    <message>
        <source>Cancelled; saved the best epoch so far</source>
        <translation>已取消；已保存目前最好的一轮</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>epoch {best} of {epochs} kept; the saved model scores {accuracy:.2f}% ({top1}/{images}) on validation. Model folder: {folder}</source>
        <translation>保留了 {epochs} 轮中的第 {best} 轮；保存的模型在验证集上的准确率为 {accuracy:.2f}%（{top1}/{images}）。模型文件夹：{folder}</translation>
    </message>
    <message>
        <source>Confusion matrix</source>
        <translation>混淆矩阵</translation>
    </message>
    <message>
        <source>Not trained: {reason}</source>
        <translation>未训练：{reason}</translation>
    </message>
    <message>
        <source>{minutes} min {seconds:02d} s</source>
        <translation>{minutes} 分 {seconds:02d} 秒</translation>
    </message>
    <message>
        <source>{seconds} s</source>
        <translation>{seconds} 秒</translation>
    </message>
</context>
<context>
    <name>UnitView</name>
    <message>
        <source>Top images in the table</source>
        <translation>表格中激活最强的图像</translation>
    </message>
    <message>
        <source>The table&apos;s images that activate this unit most, each cut to the part of the input the unit sees (kept while classifying; otherwise one pass over the table, then cached)</source>
        <translation>表格中最能激活此单元的图像，每张都裁剪为该单元所见的输入区域（分类时已记录；否则遍历一次表格，然后缓存）</translation>
    </message>
    <message>
        <source>Feature visualisation</source>
        <translation>特征可视化</translation>
    </message>
    <message>
        <source>Optimise an image to maximise this unit (Lucid&apos;s method, 256 steps; cached)</source>
        <translation>优化一张图像使此单元激活最大（Lucid 的方法，256 步；会缓存）</translation>
    </message>
    <message>
        <source>Feature visualisation: press its button</source>
        <translation>特征可视化：请按对应按钮</translation>
    </message>
    <message>
        <source>Dataset examples: press Top images</source>
        <translation>数据集样例：请按“表格中激活最强的图像”</translation>
    </message>
    <message>
        <source>Choose a layer and a unit, or click a channel in the feature maps.</source>
        <translation>请选择一层和一个单元，或在特征图中点击一个通道。</translation>
    </message>
    <message>
        <source>Layer</source>
        <extracomment>optimisation steps of a feature visualisation (Lucid uses 512; 256 took 45-98 s on two shared cores) the (layer, unit) each canvas shows, None while it shows none: another unit&apos;s pictures are cleared when a new unit is asked for, not left beside its name while it computes</extracomment>
        <translation>层</translation>
    </message>
    <message>
        <source>The layer of the unit</source>
        <translation>单元所在的层</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单元</translation>
    </message>
    <message>
        <source>The unit&apos;s number in its layer</source>
        <translation>单元在其层中的序号</translation>
    </message>
    <message>
        <source>The image that maximises it</source>
        <translation>使其激活最大的图像</translation>
    </message>
    <message>
        <source>Feature visualisation of the unit</source>
        <translation>该单元的特征可视化</translation>
    </message>
    <message>
        <source>The table&apos;s images that activate it most</source>
        <translation>表格中最能激活它的图像</translation>
    </message>
    <message>
        <source>Dataset examples of the unit</source>
        <translation>该单元的数据集样例</translation>
    </message>
    <message>
        <source>Classify some images first: the examples come from the table.</source>
        <translation>请先分类一些图像：样例来自表格。</translation>
    </message>
    <message>
        <source>finding the images of the table that most activate {layer} unit {unit}…</source>
        <translation>正在查找表格中最能激活 {layer} 第 {unit} 个单元的图像…</translation>
    </message>
    <message>
        <source>Finding the images…</source>
        <translation>正在查找图像…</translation>
    </message>
    <message>
        <source>visualising {layer} unit {unit}: {steps} steps, counted in the progress bar below; Esc or Cancel stops it…</source>
        <translation>正在可视化 {layer} 第 {unit} 个单元：共 {steps} 步，进度见下方进度条；按 Esc 或“取消”可停止…</translation>
    </message>
    <message>
        <source>Visualising…</source>
        <translation>正在可视化…</translation>
    </message>
    <message>
        <source>feature visualisation</source>
        <translation>特征可视化</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Feature visualisation of {layer} unit {unit} cancelled.</source>
        <translation>{layer} 第 {unit} 个单元的特征可视化已取消。</translation>
    </message>
    <message>
        <source>{layer} unit {unit}: the {found} of {total} images in the table that activate it most ({names}, ...), each cut to the part of the input it sees</source>
        <translation>{layer} 第 {unit} 个单元：表格 {total} 张图像中最能激活它的 {found} 张（{names}, ...），每张都裁剪为它所见的输入区域</translation>
    </message>
    <message>
        <source>activation {value:.4g}</source>
        <translation>激活值 {value:.4g}</translation>
    </message>
    <message>
        <source>from the cache</source>
        <translation>来自缓存</translation>
    </message>
    <message>
        <source>{layer} unit {unit}: the image that maximises it ({what})</source>
        <translation>{layer} 第 {unit} 个单元：使其激活最大的图像（{what}）</translation>
    </message>
</context>
<context>
    <name>ViewMenu</name>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>System ({language})</source>
        <translation>跟随系统（{language}）</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>The interface&apos;s language, remembered for the app and the command line</source>
        <translation>界面语言，应用程序和命令行都会记住</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>High contrast</source>
        <translation>高对比度</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>Colours of the windows and of the views&apos; plots; remembered</source>
        <translation>窗口和各视图图表的配色；会被记住</translation>
    </message>
</context>
<context>
    <name>WeightsDialog</name>
    <message>
        <source>AlexNet weights</source>
        <translation>AlexNet 权重</translation>
    </message>
    <message>
        <source>Found them in {folder}: use them, or choose another file.</source>
        <translation>已在 {folder} 找到：可直接使用，或选择其他文件。</translation>
    </message>
    <message>
        <source>None were found in {folder}.</source>
        <translation>在 {folder} 中未找到。</translation>
    </message>
    <message>
        <source>alexnet-gui needs AlexNet&apos;s ImageNet weights (torchvision&apos;s IMAGENET1K_V1, {size:.0f} MB).</source>
        <translation>alexnet-gui 需要 AlexNet 的 ImageNet 权重（torchvision 的 IMAGENET1K_V1，{size:.0f} MB）。</translation>
    </message>
    <message>
        <source>Download them once (they are checked against their published hash, from torchvision&apos;s server or the mirror below), choose a file you already have, or try the app with an untrained network.</source>
        <translation>可以下载一次（从 torchvision 的服务器或下方的镜像下载，并按公布的哈希值校验），选择已有的文件，或用未训练的网络试用本程序。</translation>
    </message>
    <message>
        <source>torchvision&apos;s server: {url}</source>
        <translation>torchvision 的服务器：{url}</translation>
    </message>
    <message>
        <source>The URL of a copy of alexnet-owt-7be5be79.pth where torchvision&apos;s server cannot be reached; the download is checked against the published hash all the same. Remembered for the next time.</source>
        <translation>无法访问 torchvision 服务器时，填写 alexnet-owt-7be5be79.pth 副本的网址；下载的文件同样按公布的哈希值校验。下次会记住。</translation>
    </message>
    <message>
        <source>Weights mirror URL</source>
        <translation>权重镜像网址</translation>
    </message>
    <message>
        <source>%v of %m MB</source>
        <translation>%v / %m MB</translation>
    </message>
    <message>
        <source>Use the weights found</source>
        <translation>使用找到的权重</translation>
    </message>
    <message>
        <source>Download ({size:.0f} MB)</source>
        <translation>下载（{size:.0f} MB）</translation>
    </message>
    <message>
        <source>Download alexnet-owt-7be5be79.pth from torchvision&apos;s server (or the mirror in ALEXNET_GUI_WEIGHTS_URL) into torchvision&apos;s cache</source>
        <translation>从 torchvision 的服务器（或 ALEXNET_GUI_WEIGHTS_URL 指定的镜像）下载 alexnet-owt-7be5be79.pth 到 torchvision 的缓存</translation>
    </message>
    <message>
        <source>Choose file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>Use a .pth state_dict or an .onnx model you already have</source>
        <translation>使用已有的 .pth state_dict 或 .onnx 模型</translation>
    </message>
    <message>
        <source>Use untrained demo network</source>
        <translation>使用未训练的演示网络</translation>
    </message>
    <message>
        <source>A seeded random network: the app works, but its predictions are meaningless</source>
        <translation>固定随机种子的随机网络：程序可以运行，但预测没有意义</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancel the download, or close without a model</source>
        <translation>取消下载，或不加载模型直接关闭</translation>
    </message>
    <message>
        <source>&amp;Mirror:</source>
        <translation>镜像(&amp;M)：</translation>
    </message>
    <message>
        <source>Downloading…</source>
        <translation>正在下载…</translation>
    </message>
    <message>
        <source>Choose AlexNet weights</source>
        <translation>选择 AlexNet 权重</translation>
    </message>
    <message>
        <source>Downloading… {done:.1f} MB of {total:.1f} MB</source>
        <translation>正在下载… {done:.1f} MB / {total:.1f} MB</translation>
    </message>
    <message>
        <source>Downloading… {done:.1f} MB</source>
        <translation>正在下载… {done:.1f} MB</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation>取消下载</translation>
    </message>
</context>
<context>
    <name>card_status_text</name>
    <message>
        <source>model {card} ({classes} classes) · </source>
        <translation>模型 {card}（{classes} 个类别）· </translation>
    </message>
</context>
<context>
    <name>diagnostics_dialog</name>
    <message>
        <source>Diagnostics…</source>
        <translation>诊断…</translation>
    </message>
    <message>
        <source>Devices, ONNX Runtime providers that load (and why not), PyTorch/CUDA, weights found</source>
        <translation>设备、可加载的 ONNX Runtime 执行提供程序（及不能加载的原因）、PyTorch/CUDA、找到的权重</translation>
    </message>
</context>
<context>
    <name>download_failure_text</name>
    <message>
        <source>the download server</source>
        <translation>下载服务器</translation>
    </message>
    <message>
        <source>You can give a mirror of the weights file (the Mirror box above, or the ALEXNET_GUI_WEIGHTS_URL environment variable, now set), choose a weights file you already have (Choose file…), or try the app with the untrained demo network.</source>
        <translation>你可以提供权重文件的镜像（上方的“镜像”框，或环境变量 ALEXNET_GUI_WEIGHTS_URL，当前已设置），选择已有的权重文件（“选择文件…”），或用未训练的演示网络试用本程序。</translation>
    </message>
    <message>
        <source>You can give a mirror of the weights file (the Mirror box above, or the ALEXNET_GUI_WEIGHTS_URL environment variable, now not set), choose a weights file you already have (Choose file…), or try the app with the untrained demo network.</source>
        <translation>你可以提供权重文件的镜像（上方的“镜像”框，或环境变量 ALEXNET_GUI_WEIGHTS_URL，当前未设置），选择已有的权重文件（“选择文件…”），或用未训练的演示网络试用本程序。</translation>
    </message>
    <message>
        <source>The weights could not be downloaded: {host} cannot be reached (this computer seems to be offline, or the server is blocked here).</source>
        <translation>无法下载权重：无法连接 {host}（这台电脑似乎没有联网，或该服务器在此处被屏蔽）。</translation>
    </message>
    <message>
        <source>The file from {host} is not the published AlexNet weights (its checksum differs), so it was discarded.</source>
        <translation>来自 {host} 的文件不是公布的 AlexNet 权重（校验和不同），已丢弃。</translation>
    </message>
    <message>
        <source>the server refused the download</source>
        <translation>服务器拒绝了下载</translation>
    </message>
    <message>
        <source>the download broke off</source>
        <translation>下载中断</translation>
    </message>
    <message>
        <source>the download was too slow and was stopped</source>
        <translation>下载太慢，已停止</translation>
    </message>
    <message>
        <source>The weights could not be downloaded from {host}: {what}. Nothing was kept.</source>
        <translation>无法从 {host} 下载权重：{what}。未保留任何文件。</translation>
    </message>
    <message>
        <source>The weights could not be saved: {reason}.

Free some disk space, or choose a weights file you already have (Choose file…).</source>
        <translation>无法保存权重：{reason}。

请释放一些磁盘空间，或选择已有的权重文件（“选择文件…”）。</translation>
    </message>
</context>
<context>
    <name>image_canvas</name>
    <message>
        <source>Save image…</source>
        <translation>保存图像…</translation>
    </message>
    <message>
        <source>Save image</source>
        <translation>保存图像</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>Image not saved</source>
        <translation>图像未保存</translation>
    </message>
    <message>
        <source>Could not write {path}.</source>
        <translation>无法写入 {path}。</translation>
    </message>
</context>
<context>
    <name>install_views</name>
    <message>
        <source>Filters</source>
        <translation>滤波器</translation>
    </message>
    <message>
        <source>Feature maps</source>
        <translation>特征图</translation>
    </message>
    <message>
        <source>Where it looks</source>
        <translation>关注区域</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单元</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>结构</translation>
    </message>
    <message>
        <source>Similar</source>
        <translation>相似</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>分布图</translation>
    </message>
</context>
</TS>
